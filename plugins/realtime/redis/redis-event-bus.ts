import type { Clock, EventBus, Logger, NewEvent, ReadSinceResult, protocol } from '../../../kernel/index.js'
import type { RedisLink } from './connection.js'
import { createFanout } from './fanout.js'

type EventEnvelope = protocol.EventEnvelope

/**
 * Append in one atomic step: next sequence (INCR), bounded log entry (XADD, exact MAXLEN), and the
 * live fan-out (PUBLISH). Scripts run one at a time, so every subscriber sees a stream in seq order.
 * KEYS: head, log. ARGV: retention, envelope JSON before the seq, JSON after it, channel.
 */
const APPEND = `
local seq = redis.call('INCR', KEYS[1])
local envelope = ARGV[2] .. seq .. ARGV[3]
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[1], seq .. '-0', 'e', envelope)
redis.call('PUBLISH', ARGV[4], envelope)
return seq
`

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

export interface RedisEventBusDeps {
  redis: RedisLink
  /** Prefix of keys and channels. */
  prefix: string
  /** Events kept per stream. */
  retention: number
  clock: Clock
  logger: Logger
}

/** eventBus on Redis: sequence + Streams log per stream, pub/sub fan-out to every server instance. */
export function createRedisEventBus(deps: RedisEventBusDeps): EventBus {
  const keys = (stream: string) => [`${deps.prefix}seq:${stream}`, `${deps.prefix}log:${stream}`]
  const channelOf = (stream: string) => `${deps.prefix}evt:${stream}`
  const fanout = createFanout(deps)
  // Scripts registered once and called by SHA (ioredis falls back to EVAL after a SCRIPT FLUSH).
  deps.redis.command.defineCommand('platformAppend', { numberOfKeys: 2, lua: APPEND })
  deps.redis.command.defineCommand('platformReadSince', { numberOfKeys: 2, lua: READ_SINCE })
  const scripts = deps.redis.command as unknown as {
    platformAppend(...args: Array<string | number>): Promise<number>
    platformReadSince(...args: Array<string | number>): Promise<[number, number, ...string[]]>
  }

  return {
    async append(stream, event: NewEvent) {
      const at = deps.clock.now().toISOString()
      const before = `{"v":1,"stream":${JSON.stringify(stream)},"seq":`
      const rest = { at, type: event.type, ...(event.sessionId === undefined ? {} : { sessionId: event.sessionId }), data: event.data }
      const after = ',' + JSON.stringify(rest).slice(1)
      const seq = Number(await scripts.platformAppend(...keys(stream), deps.retention, before, after, channelOf(stream)))
      return { v: 1, stream, seq, ...rest } as EventEnvelope
    },
    async readSince(stream, since): Promise<ReadSinceResult> {
      const reply = await scripts.platformReadSince(...keys(stream), Math.floor(since))
      const [head, ok, ...entries] = reply
      if (ok !== 1) return { ok: false, reason: 'cursor_expired', head }
      return { ok: true, events: entries.map((text) => JSON.parse(text) as EventEnvelope), head }
    },
    async head(stream) {
      return Number((await deps.redis.command.get(keys(stream)[0])) ?? 0)
    },
    async seed(stream, seq) {
      await deps.redis.command.eval(SEED, 2, ...keys(stream), Math.floor(seq))
    },
    subscribe(stream, listener) {
      return fanout.subscribe(channelOf(stream), listener)
    },
  }
}
