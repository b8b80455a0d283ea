import { definePlugin } from '../../../kernel/index.js'
import type {} from '../../persistence/postgres/services.js'
import { configSchema, toServerConfig } from './config.js'
import { McpManager } from './manager.js'
import { McpOAuthFlows } from './oauth-flows.js'
import { oauthRoutes } from './oauth-routes.js'
import { itemRoutes } from './routes-items.js'
import { toolsRoute } from './routes-tools.js'
import { serverRoutes } from './routes.js'
import { loadStored, type ServersDeps } from './servers.js'
import { callbackUrl, createService } from './service.js'
import { createServerStore, MCP_MIGRATION, type ServerStore } from './store.js'

/**
 * MCP client: servers from the config file and the API (stdio, streamable HTTP, legacy SSE), their
 * tools as kernel tools `<server>__<tool>`, their prompts and resources through the API.
 */
export default definePlugin({
  name: 'mcp-client',
  version: '0.1.0',
  description: 'MCP servers (stdio, http, sse): tools as <server>__<tool>, prompts and resources through /api/mcp.',
  // realtime-redis: the global events go to its event bus, so it must be started before servers connect.
  // auth-vault: its credentialStore (OAuth tokens of remote servers) must be ready before they connect.
  optionalDependsOn: ['persistence-postgres', 'realtime-redis', 'auth-vault'],
  configSchema,
  register(ctx) {
    const options = ctx.options
    const now = () => ctx.resolve('clock').now()
    const manager = new McpManager({ tools: ctx.registries.tools, logger: ctx.logger, options, clientVersion: '0.1.0', now, eventBus: () => ctx.resolve('eventBus') })
    for (const [name, server] of Object.entries(options.servers)) manager.add(toServerConfig(name, server, options.timeouts), 'config')

    const persisted = ctx.has('persistence-postgres')
    if (persisted) ctx.resolve('persistencePostgres').addMigration(MCP_MIGRATION)
    let store: ServerStore | null = null
    // OAuth of remote servers: the callback is server-http's own route, so its address is read once listening.
    let addresses: readonly string[] = []
    const oauth = new McpOAuthFlows({
      manager,
      credentials: () => ctx.resolve('credentialStore'),
      now,
      logger: ctx.logger,
      clientName: options.oauth.clientName,
      ...(options.oauth.scope ? { scope: options.oauth.scope } : {}),
      flowTtlMs: options.oauth.flowTtlMs,
      redirectUrl: () => options.oauth.redirectUrl ?? callbackUrl(addresses[0]),
    })
    manager.setAuthProviderFactory((server) => oauth.connectProvider(server))
    const deps: ServersDeps = { manager, options, store: () => store, now, logger: ctx.logger, onRemoved: (name) => oauth.forget(name) }

    const service = createService(manager, oauth)
    ctx.provide('mcpClient', () => service)
    for (const route of serverRoutes(deps)) ctx.registries.routes.add(route)
    for (const route of itemRoutes(manager, () => ctx.resolve('engine'))) ctx.registries.routes.add(route)
    ctx.registries.routes.add(toolsRoute(ctx.registries.tools, manager))
    for (const route of oauthRoutes(() => oauth)) ctx.registries.routes.add(route)

    let firstAttempts: Promise<unknown> = Promise.resolve()
    ctx.hooks.lifecycle.start.tapPromise({}, async (kernel) => {
      // The same array server-http pushes its address into (at StartStage.LISTEN, after this tap).
      addresses = kernel.addresses
      if (persisted) {
        store = createServerStore(ctx.resolve('persistencePostgres'))
        await loadStored(deps, store)
      }
      // Not awaited: a slow server must not hold the boot; warmup waits for them (bounded).
      firstAttempts = Promise.all(manager.list().map((entry) => entry.connection.start()))
    })
    ctx.hooks.lifecycle.warmup.tapPromise({}, async () => {
      // Sessions take the tools registered when they are created: give servers a chance to be there.
      const limit = Math.max(0, ctx.kernelConfig.timeouts.warmupMs - 1_000)
      let timer: NodeJS.Timeout | undefined
      await Promise.race([firstAttempts, new Promise((resolve) => (timer = setTimeout(resolve, limit)))]).finally(() => clearTimeout(timer))
    })
    ctx.hooks.lifecycle.shutdown.tapPromise({}, async () => {
      await manager.stopAll()
    })
  },
})
