import type { EventEnvelope, EventType, MessageInfo, PlatformEvent, SessionInfo } from '../protocol/index.js'

/**
 * Ports: kernel service interfaces with an in-memory default. At most one plugin replaces each
 * (persistence-postgres, realtime-redis, jobs-agenda). Contract tests run every implementation.
 */

export interface SessionListFilter {
  parentId?: string | null
  /** Only sessions of this owner. */
  ownerId?: string
  /** Only sessions in this status (e.g. `busy`), of this agent. */
  status?: SessionInfo['status']
  agent?: string
  limit?: number
}

/** How a write reaches disk. */
export interface WriteOptions {
  /**
   * `false`: the write is visible to every reader at once but reaches disk with the next durable write (or soon
   * after, on the database's own schedule), so a database crash before then can lose it. The engine writes a
   * turn's messages this way and ends every turn with a durable status write. Default `true`.
   */
  durable?: boolean
}

export interface SessionStore {
  createSession(session: SessionInfo): Promise<void>
  getSession(id: string): Promise<SessionInfo | null>
  listSessions(filter?: SessionListFilter): Promise<SessionInfo[]>
  /** Patch of mutable fields; `updatedAt` is set by the caller. Resolves with the session as patched, null when there is none. */
  updateSession(id: string, patch: Partial<Omit<SessionInfo, 'id' | 'createdAt'>>, options?: WriteOptions): Promise<SessionInfo | null>
  /** Insert or replace a message together with all of its parts (parts not listed are deleted). */
  saveMessage(message: MessageInfo, options?: WriteOptions): Promise<void>
  /** Messages of a session in creation order, each with its parts in ordinal order. */
  listMessages(sessionId: string): Promise<MessageInfo[]>
  /** Delete a session with its messages and parts (not its children); false when there was none. */
  deleteSession(id: string): Promise<boolean>
}

export interface NewEvent<T extends EventType = EventType> {
  type: T
  sessionId?: string
  data: Extract<PlatformEvent, { type: T }>['data']
}

export type ReadSinceResult =
  | { ok: true; events: EventEnvelope[]; head: number }
  | { ok: false; reason: 'cursor_expired' | 'store_restarted'; head: number }

export interface EventBus {
  /**
   * Assigns the next sequence of the stream, stores the event in the bounded log and fans it out.
   * Appends invoked one after another from one process are sequenced in invocation order, without
   * the caller awaiting each one.
   */
  append(stream: string, event: NewEvent): Promise<EventEnvelope>
  /** Events with seq > since, in order; not ok when `since` is older than retention or ahead of head. */
  readSince(stream: string, since: number): Promise<ReadSinceResult>
  head(stream: string): Promise<number>
  /** Raise the stream's sequence to at least `seq` (a fresh store seeds from session.last_seq). */
  seed(stream: string, seq: number): Promise<void>
  /** Live events of a stream from now on, in sequence order. Returns an unsubscribe function. */
  subscribe(stream: string, listener: (event: EventEnvelope) => void): Promise<() => void>
}

export interface LockHandle {
  readonly key: string
  /** Extend the TTL; false when the lock was lost (expired and taken by another holder). */
  refresh(ttlMs: number): Promise<boolean>
  release(): Promise<void>
}

export interface Locks {
  /** Try to take a lock held for `ttlMs` (renewed by the holder while alive); null when held elsewhere. */
  tryAcquire(key: string, ttlMs: number): Promise<LockHandle | null>
}

export interface KeyValue {
  get(key: string): Promise<string | null>
  set(key: string, value: string, options?: { ttlMs?: number }): Promise<void>
  delete(key: string): Promise<void>
}

export interface ScheduledJob {
  name: string
  /** Runs the job; errors are logged by the scheduler. */
  run(data: Record<string, unknown>): Promise<void>
}

export interface Scheduler {
  /** Declare a job handler. */
  define(job: ScheduledJob): void
  /** Run a defined job every `intervalMs` (once across server instances where the backend allows). */
  every(name: string, intervalMs: number, data?: Record<string, unknown>): Promise<void>
  /** Run a defined job once, as soon as possible. */
  now(name: string, data?: Record<string, unknown>): Promise<void>
  /** Timestamps of recent runs, newest last (for health and tests). */
  runs(name: string): number[]
}

export interface Clock {
  now(): Date
}

export interface Ids {
  /** A new unique, time-ordered id (ULID), with an optional prefix. */
  next(prefix?: string): string
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
  child(label: string): Logger
}

/** Port keys a plugin may replace with `ctx.replacePort`. */
export type PortName = 'sessionStore' | 'eventBus' | 'locks' | 'kv' | 'scheduler' | 'credentialStore' | 'clock' | 'ids'
