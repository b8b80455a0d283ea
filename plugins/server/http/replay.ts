import type { EventBus, protocol } from '../../../kernel/index.js'

/** Where a followed stream's events go: SSE connections and WebSocket subscriptions alike. */
export interface ReplayTarget {
  /** True once the consumer is gone: following stops at the next step. */
  readonly closed: boolean
  /** A sequenced event; the target drops any seq it already sent (replay and live overlap). */
  send(event: protocol.EventEnvelope): void
  /** The cursor cannot be served: tell the client to refetch and resume from `head`. */
  reset(reason: 'cursor_expired' | 'store_restarted', head: number): void
}

/** The unsequenced control envelope sent instead of a replay the log cannot serve (same on SSE and WebSocket). */
export function resetEnvelope(stream: string, reason: 'cursor_expired' | 'store_restarted', head: number): protocol.StreamResetEnvelope {
  return { v: 1, stream, at: new Date().toISOString(), type: 'stream.reset', data: { reason, head } }
}

/** Last sequence sent: drops repeats so the replay/live overlap reaches the client once. */
export class SeqFilter {
  #last = 0
  get last(): number {
    return this.#last
  }
  /** True when `seq` is new (and records it). */
  accept(seq: number): boolean {
    if (seq <= this.#last) return false
    this.#last = seq
    return true
  }
  /** After a reset the client resumes from head: nothing at or below it is sent. */
  skipTo(head: number): void {
    this.#last = Math.max(this.#last, head)
  }
}

/**
 * Follow `streamName` into `target`: subscribe first (buffering live events), optionally announce the
 * head, read the log after the cursor (or send one `stream.reset` when it cannot be served), then
 * drain the buffer and go live. No event is lost or repeated as long as the target filters seqs.
 * Returns the unsubscribe function; rejects when the bus fails (the caller ends the consumer).
 */
export async function followStream(
  eventBus: EventBus,
  streamName: string,
  cursor: number | null,
  target: ReplayTarget,
  announce?: (head: number) => void,
): Promise<() => void> {
  let live = false
  const buffered: protocol.EventEnvelope[] = []
  const unsubscribe = await eventBus.subscribe(streamName, (event) => {
    if (live) target.send(event)
    else buffered.push(event)
  })
  try {
    if (target.closed) return unsubscribe
    if (announce) announce(await eventBus.head(streamName))
    if (cursor !== null) {
      const result = await eventBus.readSince(streamName, cursor)
      if (result.ok) for (const event of result.events) target.send(event)
      else target.reset(result.reason, result.head)
    }
    for (const event of buffered) target.send(event)
    buffered.length = 0
    live = true
    return unsubscribe
  } catch (error) {
    unsubscribe()
    throw error
  }
}
