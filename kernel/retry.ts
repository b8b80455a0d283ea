import { setTimeout as sleep } from 'node:timers/promises'

/** Retry budget and pacing for one logical call (defaults mirror llxprt: 6 attempts, 5 s .. 30 s, ±30 %). */
export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number
  initialDelayMs: number
  maxDelayMs: number
  /** Relative jitter, e.g. 0.3 for ±30 %. */
  jitter: number
  /** Longest `Retry-After` honoured. */
  maxRetryAfterMs: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 6, initialDelayMs: 5_000, maxDelayMs: 30_000, jitter: 0.3, maxRetryAfterMs: 300_000 }

/** What to do after a failed attempt: give up, or retry (after `delayMs` when the server said so). */
export type RetryDecision = { retry: false } | { retry: true; reason: string; delayMs?: number | null }

export interface RetryOptions {
  policy?: Partial<RetryPolicy>
  classify(error: unknown, attempt: number): RetryDecision | Promise<RetryDecision>
  signal?: AbortSignal
  onRetry?(info: { attempt: number; delayMs: number; reason: string; error: unknown }): void
  /** For tests: a deterministic random source in [0, 1). */
  random?: () => number
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | null {
  if (!value) return null
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? null : Math.max(0, at - now)
}

/** The delay before retry number `attempt` (1-based) with exponential growth, cap and jitter. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1))
  const spread = base * policy.jitter
  return Math.max(0, Math.round(base - spread + random() * 2 * spread))
}

/**
 * Run `run` until it succeeds, `classify` says the error is final, the attempts are spent or the
 * signal aborts. A server-given delay (Retry-After) is used as is, up to `maxRetryAfterMs`.
 */
export async function withRetry<T>(run: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.policy }
  for (let attempt = 1; ; attempt++) {
    try {
      return await run(attempt)
    } catch (error) {
      if (options.signal?.aborted || attempt >= policy.attempts) throw error
      const decision = await options.classify(error, attempt)
      if (!decision.retry) throw error
      const delayMs =
        decision.delayMs !== undefined && decision.delayMs !== null
          ? Math.min(decision.delayMs, policy.maxRetryAfterMs)
          : backoffDelay(attempt, policy, options.random)
      options.onRetry?.({ attempt, delayMs, reason: decision.reason, error })
      await sleep(delayMs, undefined, { signal: options.signal })
    }
  }
}
