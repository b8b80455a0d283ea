import type { Logger, protocol } from '../../../kernel/index.js'
import type { RedisLink } from './connection.js'

type EventEnvelope = protocol.EventEnvelope
type Listener = (event: EventEnvelope) => void

interface ChannelEntry {
  listeners: Set<Listener>
  ready: Promise<unknown>
}

/**
 * Local fan-out over the process's one subscriber connection: the first local listener of a channel
 * SUBSCRIBEs (the returned promise resolves once Redis confirmed), the last one to leave UNSUBSCRIBEs.
 */
export function createFanout(deps: { redis: RedisLink; logger: Logger }) {
  const channels = new Map<string, ChannelEntry>()
  let attachedTo: unknown = null

  const deliver = (channel: string, text: string) => {
    const entry = channels.get(channel)
    if (!entry) return
    let envelope: EventEnvelope
    try {
      envelope = JSON.parse(text) as EventEnvelope
    } catch {
      deps.logger.warn('dropped a malformed event message', { channel })
      return
    }
    for (const listener of [...entry.listeners]) {
      try {
        listener(envelope)
      } catch (error) {
        deps.logger.error('event listener failed', { stream: envelope.stream, seq: envelope.seq, error: String(error) })
      }
    }
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
    async subscribe(channel: string, listener: Listener): Promise<() => void> {
      const client = subscriber()
      let entry = channels.get(channel)
      if (!entry) {
        entry = { listeners: new Set(), ready: client.subscribe(channel) }
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
