import type { EventEnvelope } from '../protocol/index.js'
import type { Clock, EventBus, NewEvent } from './types.js'

interface StreamLog {
  head: number
  events: EventEnvelope[]
  listeners: Set<(event: EventEnvelope) => void>
}

/** Default eventBus: per-stream sequence and a bounded replay log in memory; one process only. */
export function createMemoryEventBus(deps: { clock: Clock; retention: number }): EventBus {
  const streams = new Map<string, StreamLog>()
  const log = (stream: string): StreamLog => {
    let found = streams.get(stream)
    if (!found) {
      found = { head: 0, events: [], listeners: new Set() }
      streams.set(stream, found)
    }
    return found
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
      if (entry.events.length > deps.retention) entry.events.splice(0, entry.events.length - deps.retention)
      for (const listener of entry.listeners) listener(envelope)
      return envelope
    },
    async readSince(stream, since) {
      const entry = log(stream)
      if (since > entry.head) return { ok: false, reason: 'cursor_expired', head: entry.head }
      const oldest = entry.events[0]?.seq ?? entry.head + 1
      if (since < oldest - 1) return { ok: false, reason: 'cursor_expired', head: entry.head }
      return { ok: true, events: entry.events.filter((e) => e.seq > since), head: entry.head }
    },
    async head(stream) {
      return log(stream).head
    },
    async seed(stream, seq) {
      const entry = log(stream)
      if (seq > entry.head) {
        entry.head = seq
        entry.events = []
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
