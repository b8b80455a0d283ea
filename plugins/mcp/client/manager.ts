import { protocol, type EventBus, type Logger, type NewEvent, type Registry, type ToolDefinition } from '../../../kernel/index.js'
import type { McpClientOptions, ServerConfig } from './config.js'
import { McpConnection } from './connection.js'
import { describeError, serverExists, serverNotFound } from './errors.js'
import { ToolSync } from './tool-sync.js'
import type { AuthProviderFactory } from './transports.js'

export type Origin = protocol.McpServerStatus['origin']

export interface ServerEntry {
  connection: McpConnection
  origin: Origin
  tools: ToolSync
}

export interface ManagerDeps {
  tools: Registry<ToolDefinition<any>>
  logger: Logger
  options: McpClientOptions
  clientVersion: string
  now(): Date
  /** Resolved when an event is sent: the port may be replaced (Redis) and started after register. */
  eventBus(): EventBus
}

/** Every MCP server of this platform: connections, their tools in the registry, and the global events. */
export class McpManager {
  readonly #servers = new Map<string, ServerEntry>()
  #authProviders: AuthProviderFactory | undefined

  constructor(private readonly deps: ManagerDeps) {}

  /** Plug in OAuth for remote servers (used from the next connect attempt; restart a `needs-auth` server after). */
  setAuthProviderFactory(factory: AuthProviderFactory | undefined): void {
    this.#authProviders = factory
  }

  has(name: string): boolean {
    return this.#servers.has(name)
  }

  get(name: string): ServerEntry {
    const entry = this.#servers.get(name)
    if (!entry) throw serverNotFound(name)
    return entry
  }

  list(): ServerEntry[] {
    return [...this.#servers.values()]
  }

  /** Register a server; `start()` on its connection connects it. */
  add(config: ServerConfig, origin: Origin): ServerEntry {
    if (this.#servers.has(config.name)) throw serverExists(config.name)
    const logger = this.deps.logger
    let entry: ServerEntry
    const connection = new McpConnection(config, {
      logger,
      clientVersion: this.deps.clientVersion,
      reconnect: this.deps.options.reconnect,
      authProviders: () => this.#authProviders,
      now: this.deps.now,
      onStateChange: () => {
        logger.info('mcp server state', { server: config.name, state: connection.state, ...(connection.reason ? { reason: connection.reason } : {}) })
        this.#emit({ type: 'mcp.server.updated', data: this.status(entry) })
      },
      onListChanged: (_connection, kind) => {
        if (kind === 'tools') this.#syncTools(entry)
        if (connection.state === 'connected') this.#emit({ type: 'mcp.server.updated', data: this.status(entry) })
      },
    })
    entry = { connection, origin, tools: new ToolSync(connection, this.deps.tools, logger) }
    this.#servers.set(config.name, entry)
    return entry
  }

  /** Disconnect and forget a server; its tools leave the registry. */
  async remove(name: string): Promise<void> {
    const entry = this.get(name)
    this.#servers.delete(name)
    await entry.connection.stop()
    const removed = entry.tools.clear()
    if (removed.length > 0) this.#emit({ type: 'tools.changed', data: { added: [], removed, source: `mcp:${name}` } })
    this.#emit({ type: 'mcp.server.updated', data: { ...this.status(entry), state: 'disabled', reason: 'removed', since: this.deps.now().toISOString() } })
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.list().map(async (entry) => {
      await entry.connection.stop()
      entry.tools.clear()
    }))
  }

  status(entry: ServerEntry): protocol.McpServerStatus {
    const c = entry.connection
    return {
      name: c.name,
      transport: c.config.transport,
      state: c.state,
      ...(c.reason ? { reason: c.reason } : {}),
      origin: entry.origin,
      tools: entry.tools.size,
      prompts: c.listings.prompts.length,
      resources: c.listings.resources.length,
      since: c.since.toISOString(),
    }
  }

  #syncTools(entry: ServerEntry): void {
    if (this.#servers.get(entry.connection.name) !== entry) return
    const { added, removed } = entry.tools.sync()
    if (added.length + removed.length === 0) return
    this.deps.logger.info('mcp tools changed', { server: entry.connection.name, added, removed })
    this.#emit({ type: 'tools.changed', data: { added, removed, source: `mcp:${entry.connection.name}` } })
  }

  /** Global-stream events are fire-and-forget: the bus orders appends as invoked; a failure is logged. */
  #emit(event: NewEvent): void {
    try {
      this.deps.eventBus().append(protocol.GLOBAL_STREAM, event).catch((error: unknown) => {
        this.deps.logger.warn('mcp event append failed', { type: event.type, error: describeError(error) })
      })
    } catch (error) {
      this.deps.logger.warn('mcp event append failed', { type: event.type, error: describeError(error) })
    }
  }
}
