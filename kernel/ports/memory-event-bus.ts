import type { EventEnvelope } from '../protocol/index.js'
import type { Clock, EventBus, NewEvent } from './types.js'

interface StreamLog {
  head: number
  /** Retained events, contiguous in seq; the live window is events[start..]. */
  events: EventEnvelope[]
  start: number
  listeners: Set<(event: EventEnvelope) => void>
}

/** Default eventBus: per-stream sequence and a bounded replay log in memory; one process only. */
export function createMemoryEventBus(deps: { clock: Clock; retention: number }): EventBus {
  const streams = new Map<string, StreamLog>()
  const log = (stream: string): StreamLog => {
    let found = streams.get(stream)
    if (!found) {
      found = { head: 0, events: [], start: 0, listeners: new Set() }
      streams.set(stream, found)
    }
    return found
  }
  /** Drop the oldest events beyond retention; compact the array once the dead prefix is large. */
  const trim = (entry: StreamLog) => {
    const live = entry.events.length - entry.start
    if (live > deps.retention) entry.start += live - deps.retention
    if (entry.start > 1024 && entry.start > entry.events.length / 2) {
      entry.events = entry.events.slice(entry.start)
      entry.start = 0
    }
  }

  return {
    async append(stream, event: NewEvent) {
      const entry = log(stream)
      entry.head += 1
      const envelope = {
        v: 1,
        stream,
        seq: entry.head,
        at: deps.clock.now().toISOString(),
        type: event.type,
        ...(event.sessionId === undefined ? {} : { sessionId: event.sessionId }),
        data: event.data,
      } as EventEnvelope
      entry.events.push(envelope)
      trim(entry)
      for (const listener of entry.listeners) listener(envelope)
      return envelope
    },
    async readSince(stream, since) {
      const entry = log(stream)
      if (since > entry.head) return { ok: false, reason: 'cursor_expired', head: entry.head }
      const oldest = entry.events[entry.start]?.seq ?? entry.head + 1
      if (since < oldest - 1) return { ok: false, reason: 'cursor_expired', head: entry.head }
      return { ok: true, events: entry.events.slice(entry.start + (since - (oldest - 1))), head: entry.head }
    },
    async head(stream) {
      return log(stream).head
    },
    async seed(stream, seq) {
      const entry = log(stream)
      if (seq > entry.head) {
        entry.head = seq
        entry.events = []
        entry.start = 0
      }
    },
    async subscribe(stream, listener) {
      const entry = log(stream)
      entry.listeners.add(listener)
      return async () => {
        entry.listeners.delete(listener)
      }
    },
  }
}
