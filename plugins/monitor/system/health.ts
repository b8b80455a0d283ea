import { performance } from 'node:perf_hooks'
import type { protocol } from '../../../kernel/index.js'

type Health<K extends string> = protocol.BackendHealth<K>

/** Error text is cut to this length: a health field is a hint, not a log. */
const MAX_ERROR_CHARS = 300

/** Resolve with `work` or reject after `ms` (the timer never outlives the race). */
export async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms)
    timer.unref()
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Run one cheap round trip under a timeout; a failure is reported in the result, never thrown. */
export async function checkHealth<K extends string>(kind: K, roundTrip: () => Promise<unknown>, timeoutMs: number): Promise<Health<K>> {
  const started = performance.now()
  try {
    await within(Promise.resolve().then(roundTrip), timeoutMs, kind)
    return { kind, ok: true, latencyMs: Math.round((performance.now() - started) * 100) / 100 }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return { kind, ok: false, latencyMs: null, error: message.slice(0, MAX_ERROR_CHARS) }
  }
}

export interface ProbeResults {
  database: Health<'pglite' | 'postgres'> | null
  redis: Health<'redis' | 'memory'>
  queueDepth: number | null
}

/** What the probes call: each present only when its plugin is loaded. */
export interface ProbeTargets {
  database?: { kind: 'pglite' | 'postgres'; roundTrip(): Promise<unknown> }
  /** Absent: the kernel's in-memory ports (always healthy). */
  redis?: { kind: 'redis' | 'memory'; roundTrip(): Promise<unknown> }
  queueDepth?: () => Promise<number | null>
}

export interface Probes {
  /** Run every check now; concurrent callers share the run in flight (one round trip each, however many ask). */
  refresh(): Promise<ProbeResults>
  /** The last finished run, or null before the first. */
  latest(): ProbeResults | null
}

export function createProbes(targets: () => ProbeTargets, timeoutMs: number): Probes {
  let inFlight: Promise<ProbeResults> | null = null
  let last: ProbeResults | null = null

  const run = async (): Promise<ProbeResults> => {
    const { database, redis, queueDepth } = targets()
    const [db, rd, depth] = await Promise.all([
      database ? checkHealth(database.kind, database.roundTrip, timeoutMs) : null,
      redis ? checkHealth(redis.kind, redis.roundTrip, timeoutMs) : ({ kind: 'memory', ok: true, latencyMs: 0 } as const),
      queueDepth ? within(queueDepth(), timeoutMs, 'the job queue count').catch(() => null) : null,
    ])
    return { database: db, redis: rd, queueDepth: depth }
  }

  return {
    refresh() {
      inFlight ??= run().then((results) => {
        last = results
        return results
      }).finally(() => {
        inFlight = null
      })
      return inFlight
    },
    latest: () => last,
  }
}
