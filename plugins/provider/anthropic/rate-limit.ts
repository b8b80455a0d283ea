import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from '../../../kernel/index.js'
import type { AnthropicOptions } from './config.js'

/** One bucket of Anthropic's `anthropic-ratelimit-*` response headers. */
export interface RateLimitBucket {
  limit?: number
  remaining?: number
  /** ISO time the bucket refills. */
  reset?: string
}

/** The latest rate-limit headers seen, per bucket (requests, tokens, input-tokens, output-tokens). */
export type RateLimitInfo = Partial<Record<'requests' | 'tokens' | 'input-tokens' | 'output-tokens', RateLimitBucket>>

const BUCKETS = ['requests', 'tokens', 'input-tokens', 'output-tokens'] as const

function int(value: string | null): number | undefined {
  if (value === null || value === '') return undefined
  const n = parseInt(value, 10)
  return Number.isNaN(n) ? undefined : n
}

/** Read `anthropic-ratelimit-<bucket>-limit|remaining|reset`; null when the response has none. */
export function readRateLimits(headers: Headers): RateLimitInfo | null {
  const info: RateLimitInfo = {}
  for (const bucket of BUCKETS) {
    const prefix = `anthropic-ratelimit-${bucket}-`
    const reset = headers.get(`${prefix}reset`)
    const entry: RateLimitBucket = { limit: int(headers.get(`${prefix}limit`)), remaining: int(headers.get(`${prefix}remaining`)) }
    if (reset && !Number.isNaN(Date.parse(reset))) entry.reset = new Date(reset).toISOString()
    if (entry.limit !== undefined || entry.remaining !== undefined || entry.reset) info[bucket] = entry
  }
  return Object.keys(info).length > 0 ? info : null
}

/**
 * How long to wait before the next call (llxprt's pre-request throttle): when a bucket with a known
 * reset time has less than `thresholdPercent` left, until that reset, capped at `maxWaitMs`.
 */
export function throttleDelay(info: RateLimitInfo | null, options: AnthropicOptions['rateLimitThrottle'], now = Date.now()): { waitMs: number; bucket?: string } {
  if (!options.enabled || !info) return { waitMs: 0 }
  for (const bucket of BUCKETS) {
    const entry = info[bucket]
    if (!entry || entry.limit === undefined || entry.remaining === undefined || !entry.reset || entry.limit <= 0) continue
    if ((entry.remaining / entry.limit) * 100 >= options.thresholdPercent) continue
    const until = Date.parse(entry.reset) - now
    if (until > 0) return { waitMs: Math.min(until, options.maxWaitMs), bucket }
  }
  return { waitMs: 0 }
}

/** Shared by every call of one provider instance: the last headers seen. */
export class RateLimitState {
  latest: RateLimitInfo | null = null

  record(headers: Headers, logger: Logger): void {
    const info = readRateLimits(headers)
    if (!info) return
    this.latest = info
    logger.debug('anthropic rate limits', { ...info })
  }

  async wait(options: AnthropicOptions['rateLimitThrottle'], signal: AbortSignal, logger: Logger): Promise<void> {
    const { waitMs, bucket } = throttleDelay(this.latest, options)
    if (waitMs <= 0) return
    logger.info('waiting for the Anthropic rate limit to reset', { bucket, waitMs })
    await sleep(waitMs, undefined, { signal })
  }
}
