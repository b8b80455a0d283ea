import { definePlugin, PlatformError, ShutdownStage, StartStage } from '../../../kernel/index.js'
import { installProtections } from './protections.js'
import { configSchema, listenTarget } from './config.js'
import { registerEventRoutes } from './routes-events.js'
import { registerToolRoutes } from './routes-tools.js'
import { registerConversationRoutes } from './routes-conversation.js'
import { registerOpenApiRoute } from './routes-openapi.js'
import { mountPluginRoutes } from './routes-plugins.js'
import { registerSessionRoutes } from './routes-sessions.js'
import { registerWsRoute } from './routes-ws.js'
import { HttpServer } from './server.js'
import { assertSessionAccess, installAccess } from './access.js'
import { OwnerCache, ownEventsOnly } from './owner-filter.js'
import type { ReplayTarget } from './replay.js'
import type {} from '../auth/services.js'
import './services.js'

const isLoopback = (host: string) => ['127.0.0.1', 'localhost', '::1'].includes(host)

/** The HTTP API: REST commands, SSE event streams, and every route of the routes registry. */
export default definePlugin({
  name: 'server-http',
  version: '0.1.0',
  description: 'fastify HTTP server: REST API, SSE and WebSocket event streams with replay, OpenAPI 3.1 document, plugin routes.',
  optionalDependsOn: ['server-auth'],
  configSchema,
  register(ctx) {
    const target = listenTarget(ctx.options, process.env)
    const server = new HttpServer(ctx.options, ctx.logger)
    ctx.provide('serverHttp', () => server.service)

    ctx.hooks.lifecycle.start.tapPromise({ stage: StartStage.LISTEN }, async (kernel) => {
      const engine = ctx.resolve('engine')
      const eventBus = ctx.resolve('eventBus')
      const sessionStore = ctx.resolve('sessionStore')
      const auth = ctx.has('server-auth') ? ctx.resolve('serverAuth') : null
      const owners = new OwnerCache(sessionStore)
      const tokensRequired = !isLoopback(target.host)
      if (tokensRequired && !auth) {
        throw new PlatformError(
          'SERVER_HTTP_AUTH_REQUIRED',
          `server-http listens on ${target.host}, beyond this machine, but server-auth is off: anyone could drive the agents. Enable 'server-auth' in the config file (and create tokens with \`npm run cli -- tokens create <user> admin\`), or listen on 127.0.0.1.`,
        )
      }
      installAccess(server.app, { authenticate: auth ? (request) => auth.authenticate(request) : undefined, tokensRequired, sessionStore })
      if (auth) await installProtections(server.app, { rateLimitPerMinute: auth.rateLimitPerMinute, corsOrigins: auth.corsOrigins })
      // First: @fastify/websocket must be loaded before the routes it wraps are added.
      await registerWsRoute(server.app, {
        hub: server.ws,
        ws: { eventBus, openSession: (id) => engine.openStream(id) },
        maxMessageBytes: ctx.options.ws.maxMessageBytes,
        access: (caller) => ({
          openSession: async (id) => {
            await assertSessionAccess(sessionStore, caller, id)
            return engine.openStream(id)
          },
          ...(caller.role === 'admin' ? {} : { filterGlobal: (target: ReplayTarget) => ownEventsOnly(target, caller.userId, owners) }),
        }),
      })
      registerSessionRoutes(server.app, { engine, sessionStore: ctx.resolve('sessionStore'), version: ctx.resolve('version') })
      registerEventRoutes(server.app, { engine, eventBus, hub: server.hub, isClosing: () => server.closing, owners })
      registerToolRoutes(server.app, { engine })
      registerConversationRoutes(server.app, { engine })
      registerOpenApiRoute(server.app, { version: ctx.resolve('version'), registryRoutes: () => ctx.registries.routes.list() })
      mountPluginRoutes(server.app, ctx.registries.routes.list())
      const address = await server.listen(target)
      kernel.addresses.push(address)
    })

    ctx.hooks.lifecycle.shutdown.tapPromise({ stage: ShutdownStage.DRAIN }, () => server.close())
  },
})
