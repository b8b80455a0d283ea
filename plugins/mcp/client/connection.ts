import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { ErrorCode, McpError, PromptListChangedNotificationSchema, ResourceListChangedNotificationSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js'
import { isPlatformError, type Logger, type protocol } from '../../../kernel/index.js'
import { isConnectionLost, isUnauthorized, needsAuthReason, toPlatformError } from './call-errors.js'
import type { McpClientOptions, ServerConfig } from './config.js'
import { describeError, McpErrorCode, serverUnavailable } from './errors.js'
import { emptyListings, listEverything, listKind, type ListKind, type Listings } from './listings.js'
import { createTransport, type AuthProviderFactory, type BuiltTransport } from './transports.js'

export type McpState = protocol.McpServerStatus['state']

export interface ConnectionDeps {
  logger: Logger
  clientVersion: string
  reconnect: McpClientOptions['reconnect']
  /** Read at each attempt, so an auth provider plugged in later is used by the next connect. */
  authProviders(): AuthProviderFactory | undefined
  now(): Date
  onStateChange(connection: McpConnection): void
  onListChanged(connection: McpConnection, kind: ListKind): void
}

/**
 * One MCP server: connects (transport + initialize + listings under `initMs`), keeps the listings
 * fresh on list_changed, and after a crash, a disconnect or a failed attempt goes `failed` and
 * reconnects with exponential backoff. A 401 means `needs-auth`: no retry until restarted.
 */
export class McpConnection {
  state: McpState = 'connecting'
  reason: string | undefined
  since: Date
  listings: Listings = emptyListings()
  /** Failed attempts in a row (reset when connected); the next delay grows with it. */
  attempts = 0
  retryAt: Date | undefined
  #client: Client | undefined
  /** The client of the attempt in progress, closed by stop/restart so no process outlives them. */
  #connecting: Client | undefined
  #built: BuiltTransport | undefined
  #attempt: Promise<void> | undefined
  #timer: NodeJS.Timeout | undefined
  #generation = 0
  #stopped = false
  #dirty = new Set<ListKind>()
  #refreshing: Record<ListKind, Promise<void>> = { tools: Promise.resolve(), prompts: Promise.resolve(), resources: Promise.resolve() }

  constructor(
    readonly config: ServerConfig,
    private readonly deps: ConnectionDeps,
  ) {
    this.since = deps.now()
    if (!config.enabled) this.state = 'disabled'
  }

  get name(): string {
    return this.config.name
  }

  /** The stdio server's process id while connected (diagnostics, tests). */
  pid(): number | null {
    return this.#built?.pid() ?? null
  }

  /** First connect; resolves when it is connected, failed or needs auth (never rejects). */
  start(): Promise<void> {
    if (!this.config.enabled) return Promise.resolve()
    return this.#begin()
  }

  /** Drop the connection (pending calls fail) and connect again now, with the backoff reset. */
  async restart(): Promise<void> {
    this.#clearTimer()
    this.attempts = 0
    this.#generation++
    await this.#dropClient()
    if (!this.config.enabled) return
    await this.#begin()
  }

  /** For good: no reconnect (server removed, shutdown). */
  async stop(): Promise<void> {
    this.#stopped = true
    this.#clearTimer()
    this.#generation++
    await this.#dropClient()
  }

  /** Wait for a connect in progress (bounded); used before a call so a reconnecting server is not failed at once. */
  async settled(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.state !== 'connecting' || !this.#attempt) return
    let timer: NodeJS.Timeout | undefined
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs)
      signal?.addEventListener('abort', () => resolve(), { once: true })
    })
    await Promise.race([this.#attempt, limit]).finally(() => clearTimeout(timer))
  }

  /** Run a request on the live client; SDK errors become PlatformErrors, a lost connection starts the reconnect. */
  async request<T>(what: string, run: (client: Client, timeoutMs: number) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const timeoutMs = this.config.timeouts.callMs
    await this.settled(this.config.timeouts.initMs, signal)
    const client = this.#client
    if (!client || this.state !== 'connected') throw serverUnavailable(this.name, this.state, this.reason)
    try {
      return await run(client, timeoutMs)
    } catch (error) {
      // The token was refused and could not be refreshed: no use going on with this client.
      if (!signal?.aborted && isUnauthorized(error)) {
        this.#needsAuth(client, error)
        throw serverUnavailable(this.name, this.state, this.reason)
      }
      if (!signal?.aborted && !isPlatformError(error) && isConnectionLost(error)) this.#lost(client, describeError(error))
      throw toPlatformError(error, this.name, what, timeoutMs, signal)
    }
  }

  #begin(): Promise<void> {
    const attempt = this.#connect().finally(() => {
      if (this.#attempt === attempt) {
        this.#attempt = undefined
        this.#connecting = undefined
      }
    })
    this.#attempt = attempt
    return attempt
  }

  async #connect(): Promise<void> {
    const generation = ++this.#generation
    this.#setState('connecting')
    const { initMs } = this.config.timeouts
    let client: Client | undefined
    try {
      const authProvider = this.config.transport === 'stdio' ? undefined : this.deps.authProviders()?.(this.config)
      const built = createTransport(this.config, {
        ...(authProvider ? { authProvider } : {}),
        onStderr: (line) => this.deps.logger.debug('mcp server stderr', { server: this.name, line: line.slice(0, 500) }),
      })
      client = new Client({ name: 'agent-platform', version: this.deps.clientVersion }, { capabilities: {} })
      this.#connecting = client
      this.#watchLists(client)
      const connecting = client
      client.onclose = () => {
        if (this.#client === connecting) this.#lost(connecting, this.config.transport === 'stdio' ? 'the server process exited' : 'the connection closed')
      }
      client.onerror = (error) => this.deps.logger.debug('mcp transport error', { server: this.name, error: describeError(error) })
      this.#dirty.clear()
      await client.connect(built.transport, { timeout: initMs })
      const listings = await listEverything(client, initMs)
      if (generation !== this.#generation) {
        await client.close().catch(() => undefined)
        return
      }
      this.#client = client
      this.#built = built
      this.listings = listings
      this.attempts = 0
      this.#setState('connected')
      this.deps.onListChanged(this, 'tools')
      this.deps.onListChanged(this, 'prompts')
      this.deps.onListChanged(this, 'resources')
      // list_changed that came while connecting: the listing above may predate it.
      for (const kind of this.#dirty) this.#refresh(client, kind)
    } catch (error) {
      await client?.close().catch(() => undefined)
      if (generation !== this.#generation) return
      if (isUnauthorized(error)) return this.#setState('needs-auth', needsAuthReason(this.name, error))
      const timedOut = error instanceof McpError && error.code === ErrorCode.RequestTimeout
      this.#setState('failed', `connect failed: ${timedOut ? `no answer within ${initMs} ms (timeouts.initMs)` : describeError(error)}`)
      // A missing secret does not appear by waiting: retry only on restart.
      if (!(isPlatformError(error) && error.code === McpErrorCode.SECRET_MISSING)) this.#scheduleRetry()
    }
  }

  #watchLists(client: Client): void {
    const onChanged = (kind: ListKind) => async () => {
      if (this.#client === client) this.#refresh(client, kind)
      else this.#dirty.add(kind)
    }
    client.setNotificationHandler(ToolListChangedNotificationSchema, onChanged('tools'))
    client.setNotificationHandler(PromptListChangedNotificationSchema, onChanged('prompts'))
    client.setNotificationHandler(ResourceListChangedNotificationSchema, onChanged('resources'))
  }

  /** Re-list one kind; refreshes of a kind run one after another so an older answer never wins. */
  #refresh(client: Client, kind: ListKind): void {
    this.#refreshing[kind] = this.#refreshing[kind].then(async () => {
      if (this.#client !== client) return
      try {
        const part = await listKind(client, kind, this.config.timeouts.callMs)
        if (this.#client !== client) return
        Object.assign(this.listings, part)
        this.deps.onListChanged(this, kind)
      } catch (error) {
        this.deps.logger.warn('mcp list refresh failed', { server: this.name, kind, error: describeError(error) })
      }
    })
  }

  #lost(client: Client, reason: string): void {
    if (this.#client !== client || this.#stopped) return
    this.#client = undefined
    this.#built = undefined
    void client.close().catch(() => undefined)
    this.deps.logger.warn('mcp server connection lost', { server: this.name, reason })
    this.#setState('failed', reason)
    this.#scheduleRetry()
  }

  #needsAuth(client: Client, error: unknown): void {
    if (this.#client !== client || this.#stopped) return
    this.#client = undefined
    this.#built = undefined
    void client.close().catch(() => undefined)
    this.#setState('needs-auth', needsAuthReason(this.name, error))
  }

  #scheduleRetry(): void {
    const { initialDelayMs, maxDelayMs, factor, maxAttempts } = this.deps.reconnect
    if (this.#stopped || (maxAttempts > 0 && this.attempts >= maxAttempts)) return
    const delay = Math.min(maxDelayMs, initialDelayMs * factor ** this.attempts)
    this.attempts++
    this.retryAt = new Date(this.deps.now().getTime() + delay)
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.retryAt = undefined
      void this.#begin()
    }, delay)
    this.#timer.unref()
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
    this.retryAt = undefined
  }

  async #dropClient(): Promise<void> {
    const clients = [this.#client, this.#connecting]
    this.#client = undefined
    this.#connecting = undefined
    this.#built = undefined
    await Promise.all(clients.map((client) => client?.close().catch(() => undefined)))
  }

  #setState(state: McpState, reason?: string): void {
    this.state = state
    this.reason = reason
    this.since = this.deps.now()
    this.deps.onStateChange(this)
  }
}
