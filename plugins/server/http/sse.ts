import { atTickEnd, envelopeText, type EventBus, type Logger, type protocol } from '../../../kernel/index.js'
import { followStream, resetEnvelope, SeqFilter, type ReplayTarget } from './replay.js'

/** What the writer needs of an HTTP response (an http.ServerResponse after `reply.hijack()`). */
export interface SseTarget {
  readonly writableLength: number
  readonly writableEnded: boolean
  readonly destroyed: boolean
  write(chunk: string): boolean
  end(): void
  destroy(): void
  on(event: 'close' | 'error', listener: (error?: Error) => void): unknown
}

export interface SseHubOptions {
  heartbeatMs: number
  /** A consumer whose unsent output exceeds this is ended (it reconnects with Last-Event-ID). */
  maxBufferedBytes: number
  logger: Logger
}

/** Reconnect hint sent when the server drains, in ms. */
export const RECONNECT_HINT_MS = 2000
/** How long an ended consumer may take to flush before its socket is destroyed. */
const END_GRACE_MS = 5000

/** One SSE frame: `id: <seq>` (sequenced events only), `event: <type>`, `data: <envelope JSON>`. */
export function formatFrame(event: { seq?: number; type: string }, payload: object): string {
  const id = event.seq === undefined ? '' : `id: ${event.seq}\n`
  return `${id}event: ${event.type}\ndata: ${envelopeText(payload)}\n\n`
}

/**
 * One open stream: writes frames in sequence order, each seq once, and frees everything on close. The frames of
 * one event-loop turn go out as one write (a turn's burst of events is one system call and one wake-up of the
 * client, not one per event).
 */
class SseConnection implements ReplayTarget {
  readonly #seqs = new SeqFilter()
  /** Frames of this event-loop turn not yet written. */
  #unsent = ''
  #closed = false
  #heartbeat: NodeJS.Timeout | undefined
  #grace: NodeJS.Timeout | undefined
  #cleanups: Array<() => unknown> = []

  constructor(
    readonly target: SseTarget,
    readonly streamName: string,
    private readonly options: SseHubOptions,
    onClosed: () => void,
  ) {
    target.on('error', (error) => options.logger.debug('SSE write failed', { stream: streamName, error: String(error) }))
    target.on('close', () => {
      clearTimeout(this.#grace)
      this.#release()
      onClosed()
    })
    this.#heartbeat = setInterval(() => this.#write(': ping\n\n'), options.heartbeatMs)
    this.#heartbeat.unref()
  }

  get closed(): boolean {
    return this.#closed
  }

  addCleanup(fn: () => unknown): void {
    if (this.#closed) void Promise.resolve().then(fn).catch(() => undefined)
    else this.#cleanups.push(fn)
  }

  /** Send a sequenced event unless it was already sent (replay overlap is skipped). */
  send(event: protocol.EventEnvelope): void {
    if (this.#closed || !this.#seqs.accept(event.seq)) return
    this.#write(formatFrame(event, event))
  }

  /** The cursor cannot be served: tell the client to refetch, then go on live from `head`. */
  reset(reason: 'cursor_expired' | 'store_restarted', head: number): void {
    this.#write(formatFrame({ type: 'stream.reset' }, resetEnvelope(this.streamName, reason, head)))
    this.#seqs.skipTo(head)
  }

  /** End the response (optionally with a `retry:` hint); stragglers are destroyed after a grace period. */
  end(retryMs?: number): void {
    if (this.#closed) return
    if (retryMs !== undefined) this.#write(`retry: ${retryMs}\n\n`, { skipLimit: true })
    this.#flush()
    this.#release()
    if (this.target.destroyed) return
    if (!this.target.writableEnded) this.target.end()
    this.#grace = setTimeout(() => this.target.destroy(), END_GRACE_MS)
    this.#grace.unref()
  }

  #write(chunk: string, options: { skipLimit?: boolean } = {}): void {
    if (this.#closed || this.target.writableEnded || this.target.destroyed) return
    if (this.#unsent === '') atTickEnd(this.#flush)
    this.#unsent += chunk
    const buffered = this.target.writableLength + this.#unsent.length
    if (!options.skipLimit && buffered > this.options.maxBufferedBytes) {
      this.options.logger.warn('ending a slow SSE consumer', { stream: this.streamName, bufferedBytes: buffered, lastSeq: this.#seqs.last })
      // Nothing more for a consumer that is not reading: it resumes from the last id it got.
      this.#unsent = ''
      this.end()
    }
  }

  readonly #flush = (): void => {
    const text = this.#unsent
    this.#unsent = ''
    if (text !== '' && !this.target.writableEnded && !this.target.destroyed) this.target.write(text)
  }

  #release(): void {
    clearInterval(this.#heartbeat)
    if (this.#closed) return
    this.#closed = true
    const cleanups = this.#cleanups
    this.#cleanups = []
    for (const fn of cleanups) void Promise.resolve().then(fn).catch((error: unknown) => this.options.logger.warn('SSE cleanup failed', { error: String(error) }))
  }
}

/** Every open SSE stream of this server: opens them with replay, counts them, ends them on drain. */
export class SseHub {
  readonly #open = new Set<SseConnection>()

  constructor(private readonly options: SseHubOptions) {}

  count(): number {
    return this.#open.size
  }

  /**
   * Stream `streamName` into `target` (headers already written). Without a cursor: live only. With one:
   * subscribe first and buffer, read the log after the cursor, then drain the buffer skipping what was
   * sent, so no event is lost or repeated; a cursor the log cannot serve yields one `stream.reset`.
   */
  async open(target: SseTarget, deps: { eventBus: EventBus; streamName: string; cursor: number | null; filter?: (target: ReplayTarget) => ReplayTarget }): Promise<void> {
    if (target.destroyed) return
    const connection = new SseConnection(target, deps.streamName, this.options, () => this.#open.delete(connection))
    this.#open.add(connection)
    try {
      connection.addCleanup(await followStream(deps.eventBus, deps.streamName, deps.cursor, deps.filter ? deps.filter(connection) : connection))
    } catch (error) {
      this.options.logger.error('SSE stream failed to open', { stream: deps.streamName, error: String(error) })
      connection.end(RECONNECT_HINT_MS)
    }
  }

  /** Drain: end every open stream with a `retry:` hint. */
  endAll(retryMs = RECONNECT_HINT_MS): void {
    for (const connection of this.#open) connection.end(retryMs)
  }
}
