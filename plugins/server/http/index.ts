import { definePlugin, ShutdownStage, StartStage } from '../../../kernel/index.js'
import { configSchema, listenTarget } from './config.js'
import { registerEventRoutes } from './routes-events.js'
import { registerToolRoutes } from './routes-tools.js'
import { registerConversationRoutes } from './routes-conversation.js'
import { registerOpenApiRoute } from './routes-openapi.js'
import { mountPluginRoutes } from './routes-plugins.js'
import { registerSessionRoutes } from './routes-sessions.js'
import { registerWsRoute } from './routes-ws.js'
import { HttpServer } from './server.js'
import './services.js'

/** The HTTP API: REST commands, SSE event streams, and every route of the routes registry. */
export default definePlugin({
  name: 'server-http',
  version: '0.1.0',
  description: 'fastify HTTP server: REST API, SSE and WebSocket event streams with replay, OpenAPI 3.1 document, plugin routes.',
  configSchema,
  register(ctx) {
    const target = listenTarget(ctx.options, process.env)
    const server = new HttpServer(ctx.options, ctx.logger)
    ctx.provide('serverHttp', () => server.service)

    ctx.hooks.lifecycle.start.tapPromise({ stage: StartStage.LISTEN }, async (kernel) => {
      const engine = ctx.resolve('engine')
      const eventBus = ctx.resolve('eventBus')
      // First: @fastify/websocket must be loaded before the routes it wraps are added.
      await registerWsRoute(server.app, { hub: server.ws, ws: { eventBus, openSession: (id) => engine.openStream(id) }, maxMessageBytes: ctx.options.ws.maxMessageBytes })
      registerSessionRoutes(server.app, { engine, sessionStore: ctx.resolve('sessionStore'), version: ctx.resolve('version') })
      registerEventRoutes(server.app, { engine, eventBus, hub: server.hub, isClosing: () => server.closing })
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
