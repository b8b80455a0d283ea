import type { RawData, WebSocket } from 'ws'
import { atTickEnd, envelopeText, isPlatformError, protocol, type EventBus, type Logger } from '../../../kernel/index.js'
import { HttpErrorCode, parsePart } from './errors.js'
import { followStream, resetEnvelope, SeqFilter, type ReplayTarget } from './replay.js'

export interface WsHubOptions {
  heartbeatMs: number
  /** A socket whose unsent output passes this is closed with 1013 (never an unbounded buffer). */
  maxBufferedBytes: number
  maxSubscriptions: number
  logger: Logger
}

export interface WsDeps {
  eventBus: EventBus
  /** Checks a session exists (throws SESSION_NOT_FOUND) and seeds its stream's sequence. */
  openSession(id: string): Promise<unknown>
  /** Throws when this socket's caller may not follow the global stream. */
  openGlobal?(): Promise<void>
  /** Narrows what this socket's caller sees of the global stream (a member: their own sessions). */
  filterGlobal?(target: ReplayTarget): ReplayTarget
}

/** Pings a client may leave unanswered in a row; at the next beat it is terminated. */
const MISSED_PONGS_LIMIT = 2
/** How long a closed socket may take for the closing handshake before it is cut. */
const CLOSE_GRACE_MS = 5000
const OPEN = 1
const MAX_PENDING_MESSAGES = 64

/** One followed stream of one socket: filters repeats, frames events exactly as SSE's `data:`. */
class WsSubscription implements ReplayTarget {
  readonly #seqs = new SeqFilter()
  #closed = false
  #unsubscribe: (() => void) | undefined

  constructor(
    readonly stream: string,
    private readonly connection: WsConnection,
  ) {}

  get closed(): boolean {
    return this.#closed || this.connection.closed
  }

  follow(unsubscribe: () => void): void {
    if (this.closed) unsubscribe()
    else this.#unsubscribe = unsubscribe
  }

  send(event: protocol.EventEnvelope): void {
    if (this.closed || !this.#seqs.accept(event.seq)) return
    this.connection.sendText(envelopeText(event))
  }

  reset(reason: 'cursor_expired' | 'store_restarted', head: number): void {
    this.connection.sendText(JSON.stringify(resetEnvelope(this.stream, reason, head)))
    this.#seqs.skipTo(head)
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    const unsubscribe = this.#unsubscribe
    this.#unsubscribe = undefined
    unsubscribe?.()
  }
}

/** The TCP socket under a WebSocket (the upgrade request's socket), held back while frames are sent. */
export interface Corkable {
  cork(): void
  uncork(): void
}

/**
 * One client socket: its subscriptions, its heartbeat, and its message queue (handled one at a time). With its TCP
 * socket given, the frames of one event-loop turn go out as one write (as on SSE: a burst costs one wake-up).
 */
class WsConnection {
  readonly subscriptions = new Map<string, WsSubscription>()
  #corked = false
  #closed = false
  #missedPongs = 0
  #heartbeat: NodeJS.Timeout
  #grace: NodeJS.Timeout | undefined
  #queue: Promise<void> = Promise.resolve()
  #pending = 0

  constructor(
    readonly socket: WebSocket,
    private readonly deps: WsDeps,
    private readonly options: WsHubOptions,
    onClosed: () => void,
    private readonly transport?: Corkable,
  ) {
    socket.on('message', (data, isBinary) => {
      // Messages are handled one at a time, in order; a client flooding faster than that is refused, not queued without bound.
      if (this.#pending >= MAX_PENDING_MESSAGES) return this.#error(HttpErrorCode.REQUEST_INVALID, `More than ${MAX_PENDING_MESSAGES} messages are waiting; wait for the answers before sending more.`)
      this.#pending += 1
      this.#queue = this.#queue.then(() => this.#handle(data, isBinary)).catch((error: unknown) => this.#fail(error))
        .finally(() => (this.#pending -= 1))
    })
    socket.on('pong', () => (this.#missedPongs = 0))
    socket.on('error', (error) => options.logger.debug('WebSocket error', { error: String(error) }))
    socket.on('close', () => {
      clearTimeout(this.#grace)
      this.#release()
      onClosed()
    })
    this.#heartbeat = setInterval(() => this.#beat(), options.heartbeatMs)
    this.#heartbeat.unref()
  }

  get closed(): boolean {
    return this.#closed
  }

  /** Send one text frame; a consumer that lets too much pile up is closed, never buffered without bound. */
  sendText(text: string): void {
    if (this.#closed || this.socket.readyState !== OPEN) return
    if (this.transport && !this.#corked) {
      this.#corked = true
      this.transport.cork()
      atTickEnd(this.#uncork)
    }
    this.socket.send(text)
    if (this.socket.bufferedAmount > this.options.maxBufferedBytes) {
      this.options.logger.warn('closing a slow WebSocket consumer', { bufferedBytes: this.socket.bufferedAmount, streams: [...this.subscriptions.keys()] })
      this.close(protocol.WsCloseCode.TRY_AGAIN_LATER, `slow consumer: over ${this.options.maxBufferedBytes} bytes unsent; reconnect with since`)
    }
  }

  send(frame: protocol.WsControlFrame): void {
    this.sendText(JSON.stringify(frame))
  }

  readonly #uncork = (): void => {
    this.#corked = false
    this.transport?.uncork()
  }

  /** Close with a code and reason (the client sees both once it has read what was queued before). */
  close(code: number, reason: string): void {
    if (this.#closed) return
    this.#release()
    this.socket.close(code, reason)
    this.#grace = setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS)
    this.#grace.unref()
  }

  terminate(): void {
    this.#release()
    this.socket.terminate()
  }

  #beat(): void {
    if (this.#missedPongs >= MISSED_PONGS_LIMIT) {
      this.options.logger.info('terminating a WebSocket client that stopped answering pings', { missedPongs: this.#missedPongs })
      this.terminate()
      return
    }
    this.#missedPongs += 1
    this.socket.ping()
  }

  async #handle(data: RawData, isBinary: boolean): Promise<void> {
    if (this.#closed) return
    if (isBinary) return this.#error(HttpErrorCode.REQUEST_INVALID, 'Send JSON text messages, not binary ones.')
    let json: unknown
    try {
      json = JSON.parse(String(data))
    } catch {
      return this.#error(HttpErrorCode.REQUEST_INVALID, 'The message is not valid JSON; send {"op":"subscribe","stream":"global"} and the like.')
    }
    let message: protocol.WsClientMessage
    try {
      message = parsePart(protocol.wsClientMessage, json, 'body')
    } catch (error) {
      return this.#reportError(error)
    }
    if (message.op === 'ping') return this.send({ op: 'pong' })
    if (message.op === 'unsubscribe') {
      this.subscriptions.get(message.stream)?.close()
      this.subscriptions.delete(message.stream)
      return this.send({ op: 'unsubscribed', stream: message.stream })
    }
    await this.#subscribe(message.stream, message.since ?? null)
  }

  async #subscribe(stream: string, since: number | null): Promise<void> {
    const previous = this.subscriptions.get(stream)
    if (!previous && this.subscriptions.size >= this.options.maxSubscriptions) {
      return this.#error(HttpErrorCode.REQUEST_INVALID, `A socket may follow at most ${this.options.maxSubscriptions} streams; unsubscribe from one first.`, stream)
    }
    try {
      if (stream !== protocol.GLOBAL_STREAM) await this.deps.openSession(stream.slice('session:'.length))
      else await this.deps.openGlobal?.()
    } catch (error) {
      return this.#reportError(error, stream)
    }
    // Subscribing again (e.g. with a new `since`) replaces the old subscription.
    previous?.close()
    const subscription = new WsSubscription(stream, this)
    this.subscriptions.set(stream, subscription)
    try {
      const target = stream === protocol.GLOBAL_STREAM && this.deps.filterGlobal ? this.deps.filterGlobal(subscription) : subscription
      const unsubscribe = await followStream(this.deps.eventBus, stream, since, target, (head) => this.send({ op: 'subscribed', stream, head }))
      subscription.follow(unsubscribe)
    } catch (error) {
      if (this.subscriptions.get(stream) === subscription) this.subscriptions.delete(stream)
      subscription.close()
      this.options.logger.error('WebSocket subscription failed', { stream, error: String(error) })
      this.#error(HttpErrorCode.INTERNAL_ERROR, 'The event stream could not be opened; it has been logged. Subscribe again shortly.', stream)
    }
  }

  #reportError(error: unknown, stream?: string): void {
    if (isPlatformError(error) && error.httpStatus < 500) return this.#error(error.code, error.message, stream)
    this.#fail(error, stream)
  }

  #fail(error: unknown, stream?: string): void {
    this.options.logger.error('WebSocket message failed', { stream, error: String(error) })
    this.#error(HttpErrorCode.INTERNAL_ERROR, 'The server hit an unexpected error; it has been logged.', stream)
  }

  #error(code: string, message: string, stream?: string): void {
    this.send(stream === undefined ? { op: 'error', code, message } : { op: 'error', code, message, stream })
  }

  #release(): void {
    clearInterval(this.#heartbeat)
    if (this.#closed) return
    this.#closed = true
    for (const subscription of this.subscriptions.values()) subscription.close()
    this.subscriptions.clear()
  }
}

/** Every open WebSocket of this server: accepts them, counts their subscriptions, closes them on drain. */
export class WsHub {
  readonly #open = new Set<WsConnection>()

  constructor(private readonly options: WsHubOptions) {}

  /** Open sockets. */
  sockets(): number {
    return this.#open.size
  }

  /** Streams followed over all sockets (each counts as one open event stream). */
  subscriptions(): number {
    let count = 0
    for (const connection of this.#open) count += connection.subscriptions.size
    return count
  }

  /** Serve a WebSocket; `transport` (its TCP socket) lets the frames of one event-loop turn go out as one write. */
  accept(socket: WebSocket, deps: WsDeps, transport?: Corkable): void {
    const connection = new WsConnection(socket, deps, this.options, () => this.#open.delete(connection), transport)
    this.#open.add(connection)
  }

  /** Drain: close every socket with 1001; clients reconnect and resubscribe with `since`. */
  endAll(): void {
    for (const connection of this.#open) connection.close(protocol.WsCloseCode.GOING_AWAY, 'server shutting down; reconnect with since')
  }

  terminateAll(): void {
    for (const connection of this.#open) connection.terminate()
  }
}
