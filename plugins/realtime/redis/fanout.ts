import { parseEnvelopeText, type Logger, type protocol } from '../../../kernel/index.js'
import type { RedisLink } from './connection.js'

type EventEnvelope = protocol.EventEnvelope
type Listener = (event: EventEnvelope) => void

interface ChannelEntry {
  listeners: Set<Listener>
  ready: Promise<unknown>
  /** Sequence of the event delivered last (0: none yet). */
  last: number
  /** Sequences delivered from this process's own appends whose PUBLISH echo has not come back yet. */
  echoes: Set<number>
}

/** Pending echoes kept per channel at most (an echo lost in a reconnect must not pile up). */
const MAX_ECHOES = 1024

/** The envelope's seq read off its JSON text (`{"v":1,"stream":"…","seq":N,…`) without parsing the rest. */
function seqOf(text: string): number {
  const at = text.indexOf('"seq":')
  return at === -1 ? Number.NaN : Number.parseInt(text.slice(at + 6, at + 24), 10)
}

/**
 * Local fan-out over the process's one subscriber connection: the first local listener of a channel
 * SUBSCRIBEs (the returned promise resolves once Redis confirmed), the last one to leave UNSUBSCRIBEs.
 *
 * Fast path: an event this process appended reaches its local listeners as soon as Redis answered the
 * append, when it directly follows the event delivered last (so order holds); its PUBLISH echo is then
 * dropped unparsed. Anything else (another instance's events, an append after a gap) arrives through
 * the subscription, in Redis's order.
 */
export function createFanout(deps: { redis: RedisLink; logger: Logger }) {
  const channels = new Map<string, ChannelEntry>()
  let attachedTo: unknown = null

  const emit = (entry: ChannelEntry, envelope: EventEnvelope) => {
    entry.last = envelope.seq
    for (const listener of [...entry.listeners]) {
      try {
        listener(envelope)
      } catch (error) {
        deps.logger.error('event listener failed', { stream: envelope.stream, seq: envelope.seq, error: String(error) })
      }
    }
  }

  const deliver = (channel: string, text: string) => {
    const entry = channels.get(channel)
    if (!entry) return
    if (entry.echoes.delete(seqOf(text))) return
    let envelope: EventEnvelope
    try {
      envelope = parseEnvelopeText<EventEnvelope>(text)
    } catch {
      deps.logger.warn('dropped a malformed event message', { channel })
      return
    }
    emit(entry, envelope)
    // Published in order: an echo still awaited below this seq was lost (a reconnect) and will not come.
    for (const seq of entry.echoes) if (seq < envelope.seq) entry.echoes.delete(seq)
  }

  /** The subscriber connection, with our message handler attached once. */
  const subscriber = () => {
    const client = deps.redis.subscriber
    if (attachedTo !== client) {
      client.on('message', deliver)
      attachedTo = client
    }
    return client
  }

  return {
    /** An event this process appended (Redis answered with its seq): deliver it now when it is the next one. */
    local(channel: string, envelope: EventEnvelope): void {
      const entry = channels.get(channel)
      if (!entry || entry.last === 0 || envelope.seq !== entry.last + 1) return
      if (entry.echoes.size >= MAX_ECHOES) entry.echoes.clear()
      entry.echoes.add(envelope.seq)
      emit(entry, envelope)
    },

    async subscribe(channel: string, listener: Listener): Promise<() => void> {
      const client = subscriber()
      let entry = channels.get(channel)
      if (!entry) {
        entry = { listeners: new Set(), ready: client.subscribe(channel), last: 0, echoes: new Set() }
        channels.set(channel, entry)
      }
      const joined = entry
      joined.listeners.add(listener)
      const leave = () => {
        joined.listeners.delete(listener)
        if (joined.listeners.size > 0 || channels.get(channel) !== joined) return
        channels.delete(channel)
        client.unsubscribe(channel).catch((error: unknown) => deps.logger.warn('unsubscribe failed', { channel, error: String(error) }))
      }
      try {
        await joined.ready
      } catch (error) {
        leave()
        throw error
      }
      let active = true
      return () => {
        if (active) leave()
        active = false
      }
    },
  }
}
