import { KernelErrorCode, PlatformError } from '../errors.js'
import type { ProviderClient } from '../provider.js'
import { sessionStream, type MessageInfo, type SessionInfo, type SessionStatus } from '../protocol/index.js'
import type { WriteOptions } from '../ports/types.js'
import type { EngineDeps, SessionRuntime } from './engine-types.js'
import { createEventWriter, type EventWriter } from './event-writer.js'

/**
 * How a turn writes its messages: visible at once, on disk with the durable status write that ends the turn
 * (setStatus), so the turn's answer is announced without waiting for a disk flush of its own.
 */
export const IN_TURN: WriteOptions = { durable: false }

/**
 * What this process keeps per session (turn queue, event writer, cached history) and per provider
 * (one client each), with the message writes that keep the cached history in step with the store.
 */
export class SessionRuntimes {
  readonly #runtimes = new Map<string, SessionRuntime>()
  readonly #clients = new Map<string, ProviderClient>()

  constructor(private readonly deps: EngineDeps) {}

  get(sessionId: string): SessionRuntime | undefined {
    return this.#runtimes.get(sessionId)
  }

  /** A turn of the session runs or waits here. */
  busy(sessionId: string): boolean {
    const runtime = this.#runtimes.get(sessionId)
    return !!runtime && (runtime.active !== null || runtime.queued > 0)
  }

  all(): IterableIterator<SessionRuntime> {
    return this.#runtimes.values()
  }

  forget(sessionId: string): void {
    this.#runtimes.delete(sessionId)
  }

  /** The session's runtime, made on first use. */
  of(sessionId: string): SessionRuntime {
    let runtime = this.#runtimes.get(sessionId)
    if (!runtime) {
      runtime = { tail: Promise.resolve(), queued: 0, active: null, seeded: false, history: null, historySeq: -1, events: createEventWriter({ eventBus: this.deps.eventBus, logger: this.deps.logger, sessionId }) }
      this.#runtimes.set(sessionId, runtime)
    }
    return runtime
  }

  /** The runtime, with the session's event stream continuing from the sequence stored with the session. */
  async seeded(session: SessionInfo): Promise<SessionRuntime> {
    const runtime = this.of(session.id)
    if (!runtime.seeded) {
      await this.deps.eventBus.seed(sessionStream(session.id), session.seq)
      runtime.seeded = true
    }
    return runtime
  }

  /** The session's messages: cached after the first load (the engine drops the cache when another instance moved on). */
  async history(session: SessionInfo): Promise<MessageInfo[]> {
    const runtime = this.of(session.id)
    runtime.history ??= await this.deps.sessionStore.listMessages(session.id)
    return runtime.history
  }

  /** message.persist, keep the cached history in step, store, message.persisted. */
  async persist(message: MessageInfo, turnId: string, options?: WriteOptions): Promise<void> {
    await (await this.persistBehind(message, turnId, options)).stored
  }

  /**
   * message.persist and the cached history now; the store in the background: `stored` settles once the
   * store has the message (message.persisted) or failed (the cached history is dropped, to be read again).
   */
  async persistBehind(message: MessageInfo, turnId: string, options?: WriteOptions): Promise<{ stored: Promise<void> }> {
    const ctx = { sessionId: message.sessionId, turnId }
    const record = await this.deps.hooks.message.persist.promise(message, ctx)
    const runtime = this.#runtimes.get(message.sessionId)
    const history = runtime?.history
    if (history) {
      const index = history.findLastIndex((m) => m.id === record.id)
      if (index === -1) history.push(structuredClone(record))
      else history[index] = structuredClone(record)
    }
    const stored = this.deps.sessionStore.saveMessage(record, options).then(
      () => void this.deps.notify(this.deps.hooks.message.persisted, record, ctx),
      (error: unknown) => {
        if (runtime && runtime.history === history) runtime.history = null
        throw error
      },
    )
    return { stored }
  }

  /** Store `busy` and return the session as stored (one statement, durable with the turn's end); 404 when it is gone. */
  async markBusy(id: string): Promise<SessionInfo> {
    const session = await this.deps.sessionStore.updateSession(id, { status: 'busy', updatedAt: this.deps.clock.now().toISOString() }, IN_TURN)
    if (!session) throw notFound(id)
    return session
  }

  /**
   * Store the status (with the sequence reached so far) before announcing it, so a refetch agrees. A durable write:
   * at the end of a turn it also puts the turn's messages (written with `durable: false`) on disk.
   */
  async setStatus(session: SessionInfo, status: SessionStatus, events: EventWriter): Promise<void> {
    const last = await events.flush()
    const seq = last?.stream === sessionStream(session.id) ? last.seq : await this.deps.eventBus.head(sessionStream(session.id))
    await this.deps.sessionStore.updateSession(session.id, { status, seq, updatedAt: this.deps.clock.now().toISOString() })
    this.of(session.id).historySeq = seq
    events.emit('session.status', { sessionId: session.id, status }, { global: true })
  }

  /** One client per provider, made on first use. */
  client(providerId: string): ProviderClient {
    let client = this.#clients.get(providerId)
    if (!client) {
      const provider = this.deps.registries.providers.get(providerId)
      if (!provider) throw new PlatformError(KernelErrorCode.SESSION_PROVIDER_UNKNOWN, `Provider "${providerId}" is not enabled.`)
      client = provider.createClient({ logger: this.deps.logger.child(`provider:${providerId}`) })
      this.#clients.set(providerId, client)
    }
    return client
  }

  async require(id: string): Promise<SessionInfo> {
    const session = await this.deps.sessionStore.getSession(id)
    if (!session) throw notFound(id)
    return session
  }
}

const notFound = (id: string) => new PlatformError(KernelErrorCode.SESSION_NOT_FOUND, `No session with id "${id}".`, { httpStatus: 404, details: { id } })
