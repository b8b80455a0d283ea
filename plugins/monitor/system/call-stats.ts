import type { protocol } from '../../../kernel/index.js'

export type CallOutcome = 'ok' | 'error' | 'aborted'

/** One model call that ended. */
export interface CompletedCall {
  provider: string
  model: string
  outcome: CallOutcome
  latencyMs: number
}

export interface CallStats {
  /** A model request went out (request.sent); `firstOfTurn` counts a started turn. */
  sent(firstOfTurn: boolean): void
  completed(call: CompletedCall): void
  /** Close the turn-rate interval (called on each monitor tick). */
  tick(): void
  turns(): protocol.SystemMetrics['turns']
  providers(): protocol.ProviderCallStats
}

export const WINDOW_MS = 60_000
/** At most this many calls are remembered for the window (memory stays bounded under any load). */
const MAX_REMEMBERED = 100_000

interface Remembered extends CompletedCall {
  at: number
}

/** Nearest-rank percentile of ascending values; null when there are none. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(rank, 1)) - 1]
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits

function latencyOf(calls: Remembered[]): { p50: number | null; p99: number | null } {
  const sorted = calls.map((c) => c.latencyMs).sort((a, b) => a - b)
  const p50 = percentile(sorted, 50)
  const p99 = percentile(sorted, 99)
  return { p50: p50 === null ? null : round(p50, 1), p99: p99 === null ? null : round(p99, 1) }
}

/**
 * Model calls over a sliding minute and turns started, fed by the request.sent, stream.finished and
 * stream.usage taps. Timestamps come from `now` (epoch ms) so tests can move time.
 */
export function createCallStats(options: { now?: () => number; onCompleted?: (call: CompletedCall) => void } = {}): CallStats {
  const now = options.now ?? Date.now
  const startedAt = now()
  const sentAt: number[] = []
  const done: Remembered[] = []
  let turnsStarted = 0
  let turnMark = { at: startedAt, count: 0 }
  let turnRate = 0

  const prune = () => {
    const cutoff = now() - WINDOW_MS
    const firstSent = sentAt.findIndex((at) => at > cutoff)
    sentAt.splice(0, firstSent < 0 ? sentAt.length : firstSent)
    const firstDone = done.findIndex((c) => c.at > cutoff)
    done.splice(0, firstDone < 0 ? done.length : firstDone)
  }

  return {
    sent(firstOfTurn) {
      if (firstOfTurn) turnsStarted += 1
      sentAt.push(now())
      if (sentAt.length > MAX_REMEMBERED) sentAt.splice(0, sentAt.length - MAX_REMEMBERED)
    },
    completed(call) {
      done.push({ ...call, at: now() })
      if (done.length > MAX_REMEMBERED) done.splice(0, done.length - MAX_REMEMBERED)
      options.onCompleted?.(call)
    },
    tick() {
      const at = now()
      const seconds = Math.max((at - turnMark.at) / 1000, 0.001)
      turnRate = round((turnsStarted - turnMark.count) / seconds)
      turnMark = { at, count: turnsStarted }
    },
    turns: () => ({ started: turnsStarted, perSecond: turnRate }),
    providers() {
      prune()
      // Right after boot the window is only as long as the monitor has run.
      const windowMs = Math.min(WINDOW_MS, Math.max(now() - startedAt, 1000))
      const errors = done.filter((c) => c.outcome === 'error').length
      const groups = new Map<string, Remembered[]>()
      for (const call of done) {
        const key = `${call.provider}\u0000${call.model}`
        const list = groups.get(key)
        if (list) list.push(call)
        else groups.set(key, [call])
      }
      return {
        windowSec: Math.round(windowMs / 1000),
        perSecond: round(sentAt.length / (windowMs / 1000)),
        completed: done.length,
        errors,
        errorRate: done.length === 0 ? 0 : round(errors / done.length, 4),
        latencyMs: latencyOf(done),
        byModel: [...groups.values()].map((calls) => ({
          provider: calls[0].provider,
          model: calls[0].model,
          completed: calls.length,
          errors: calls.filter((c) => c.outcome === 'error').length,
          latencyMs: latencyOf(calls),
        })),
      }
    },
  }
}
