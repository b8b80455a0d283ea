import { atTickEnd, parseEnvelopeText, rememberEnvelopeText, type Clock, type EventBus, type Logger, type NewEvent, type ReadSinceResult, type protocol } from '../../../kernel/index.js'
import type { RedisLink } from './connection.js'
import { createFanout } from './fanout.js'

type EventEnvelope = protocol.EventEnvelope

/**
 * Append a batch of events, each in order as one step: next sequence of its stream (INCR), bounded log
 * entry (XADD, exact MAXLEN), live fan-out (PUBLISH). Scripts run one at a time, so every subscriber
 * sees a stream in seq order. KEYS: head and log of each event's stream. ARGV: retention, then per
 * event the envelope JSON before the seq, the JSON after it, and the channel. Returns the seqs.
 */
const APPEND_BATCH = `
local out = {}
for i = 1, #KEYS / 2 do
  local seq = redis.call('INCR', KEYS[2 * i - 1])
  local envelope = ARGV[3 * i - 1] .. seq .. ARGV[3 * i]
  redis.call('XADD', KEYS[2 * i], 'MAXLEN', ARGV[1], seq .. '-0', 'e', envelope)
  redis.call('PUBLISH', ARGV[3 * i + 1], envelope)
  out[i] = seq
end
return out
`

/** Events per script call at most. */
const MAX_BATCH = 256

/** KEYS: head, log. ARGV: since. Returns {head, ok (1|0), envelope...}. */
const READ_SINCE = `
local head = tonumber(redis.call('GET', KEYS[1]) or '0')
local since = tonumber(ARGV[1])
if since > head then return {head, 0} end
local oldest = head + 1
local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
if #first > 0 then oldest = tonumber(string.match(first[1][1], '^%d+')) end
if since < oldest - 1 then return {head, 0} end
local out = {head, 1}
for _, entry in ipairs(redis.call('XRANGE', KEYS[2], (since + 1) .. '-0', '+')) do
  out[#out + 1] = entry[2][2]
end
return out
`

/** Raise the head to ARGV[1] if higher; the old log no longer continues the sequence, so drop it. */
const SEED = `
local head = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > head then
  redis.call('SET', KEYS[1], ARGV[1])
  redis.call('DEL', KEYS[2])
end
return 0
`

interface Pending {
  stream: string
  channel: string
  before: string
  after: string
  rest: Omit<EventEnvelope, 'v' | 'stream' | 'seq'>
  resolve(envelope: EventEnvelope): void
  reject(error: unknown): void
}

export interface RedisEventBusDeps {
  redis: RedisLink
  /** Prefix of keys and channels. */
  prefix: string
  /** Events kept per stream. */
  retention: number
  clock: Clock
  logger: Logger
}

/**
 * eventBus on Redis: sequence + Streams log per stream, pub/sub fan-out to every server instance.
 * Reads (readSince, head, seed) send the appends still waiting first, so they go out in invocation order.
 */
export function createRedisEventBus(deps: RedisEventBusDeps): EventBus {
  const keys = (stream: string) => [`${deps.prefix}seq:${stream}`, `${deps.prefix}log:${stream}`]
  const channelOf = (stream: string) => `${deps.prefix}evt:${stream}`
  const fanout = createFanout(deps)
  // Scripts registered once and called by SHA (ioredis falls back to EVAL after a SCRIPT FLUSH).
  deps.redis.command.defineCommand('platformAppendBatch', { lua: APPEND_BATCH })
  deps.redis.command.defineCommand('platformReadSince', { numberOfKeys: 2, lua: READ_SINCE })
  const scripts = deps.redis.command as unknown as {
    platformAppendBatch(...args: Array<string | number>): Promise<number[]>
    platformReadSince(...args: Array<string | number>): Promise<[number, number, ...string[]]>
  }

  // Appends wait for the end of the event loop turn and go out together: one script call for every
  // stream that had events in it (at high fan-in most of Redis's work per event was the call itself).
  let queue: Pending[] = []
  let scheduled = false
  const flush = () => {
    scheduled = false
    while (queue.length > 0) {
      const batch = queue.length <= MAX_BATCH ? queue : queue.slice(0, MAX_BATCH)
      queue = batch === queue ? [] : queue.slice(MAX_BATCH)
      const args: Array<string | number> = [batch.length * 2]
      for (const item of batch) args.push(...keys(item.stream))
      args.push(deps.retention)
      for (const item of batch) args.push(item.before, item.after, item.channel)
      scripts.platformAppendBatch(...args).then(
        (seqs) => {
          batch.forEach((item, i) => {
            const envelope = { v: 1, stream: item.stream, seq: Number(seqs[i]), ...item.rest } as EventEnvelope
            rememberEnvelopeText(envelope, item.before + envelope.seq + item.after)
            fanout.local(item.channel, envelope)
            item.resolve(envelope)
          })
        },
        (error: unknown) => batch.forEach((item) => item.reject(error)),
      )
    }
  }

  return {
    append(stream, event: NewEvent) {
      const at = deps.clock.now().toISOString()
      const rest = { at, type: event.type, ...(event.sessionId === undefined ? {} : { sessionId: event.sessionId }), data: event.data }
      return new Promise<EventEnvelope>((resolve, reject) => {
        queue.push({ stream, channel: channelOf(stream), before: `{"v":1,"stream":${JSON.stringify(stream)},"seq":`, after: ',' + JSON.stringify(rest).slice(1), rest, resolve, reject })
        if (!scheduled) {
          scheduled = true
          atTickEnd(flush)
        }
      })
    },
    async readSince(stream, since): Promise<ReadSinceResult> {
      flush()
      const reply = await scripts.platformReadSince(...keys(stream), Math.floor(since))
      const [head, ok, ...entries] = reply
      if (ok !== 1) return { ok: false, reason: 'cursor_expired', head }
      return { ok: true, events: entries.map((text) => parseEnvelopeText<EventEnvelope>(text)), head }
    },
    async head(stream) {
      flush()
      return Number((await deps.redis.command.get(keys(stream)[0])) ?? 0)
    },
    async seed(stream, seq) {
      flush()
      await deps.redis.command.eval(SEED, 2, ...keys(stream), Math.floor(seq))
    },
    subscribe(stream, listener) {
      return fanout.subscribe(channelOf(stream), listener)
    },
  }
}
