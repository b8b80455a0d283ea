import { z } from 'zod'

/**
 * What `GET /api/system` answers and what each `system.metrics` event on the global stream carries
 * (monitor-system plugin). One server process's view: with several instances on one Redis, each
 * emits its own, told apart by `instance.id`.
 */
export interface SystemMetrics {
  /** When this sample was taken (ISO). */
  at: string
  instance: { id: string; hostname: string; pid: number; version: string; startedAt: string }
  /** Seconds since the process started, and since the monitor (the kernel boot) started. */
  uptime: { processSec: number; monitorSec: number }
  /** The interval the windowed figures (cpu %, eventLoop, gc.interval, turns.perSecond) cover, in ms. */
  intervalMs: number
  cpu: {
    /** Share of one core used by this process over the last interval, in %. Above 100 on several cores. */
    userPercent: number
    systemPercent: number
    cores: number
    /** 1, 5 and 15 minute load averages of the machine (zeros on Windows). */
    loadAverage: [number, number, number]
  }
  memory: { rssBytes: number; heapUsedBytes: number; heapTotalBytes: number; externalBytes: number; arrayBuffersBytes: number }
  eventLoop: {
    /** How late timers fired over the last interval, in ms (the sampling resolution is subtracted). */
    lagMs: { p50: number; p99: number; max: number }
    /** Busy share of the event loop over the last interval, 0..1. */
    utilization: number
  }
  gc: { count: number; pauseMs: number; interval: { count: number; pauseMs: number } }
  sessions: {
    /** Sessions with a turn running on this instance. */
    activeTurns: number
    /** Sessions whose scope is loaded on this instance (started, not yet ended for idleness). */
    loaded: number
  }
  turns: { started: number; perSecond: number }
  /** Open event streams of this instance (SSE streams and WebSocket subscriptions); null without server-http. */
  streams: { open: number | null }
  /** `agenda`: jobs due and waiting for a worker (null when the count failed); `timer`: the in-process scheduler, which never queues. */
  jobs: { backend: 'agenda' | 'timer'; queueDepth: number | null }
  providers: ProviderCallStats
  /** null when persistence-postgres is not loaded (sessions kept in memory). */
  database: BackendHealth<'pglite' | 'postgres'> | null
  redis: BackendHealth<'redis' | 'memory'>
}

/** A cheap round trip (`select 1`, `PING`) under a short timeout. */
export interface BackendHealth<K extends string = string> {
  kind: K
  ok: boolean
  /** Round trip in ms; null when the check failed. */
  latencyMs: number | null
  /** Why it failed (no secrets). */
  error?: string
}

/** Model calls over the last `windowSec` seconds (fewer right after boot: then `windowSec` is the time since boot). */
export interface ProviderCallStats {
  windowSec: number
  /** Calls sent (request.sent), per second over the window. */
  perSecond: number
  /** Calls that ended in the window, and those that ended in an error. */
  completed: number
  errors: number
  /** errors / completed (0 when nothing completed). */
  errorRate: number
  /** From sending the request to the end of the stream, over the calls that ended in the window; null when none did. */
  latencyMs: { p50: number | null; p99: number | null }
  byModel: Array<{ provider: string; model: string; completed: number; errors: number; latencyMs: { p50: number | null; p99: number | null } }>
}

// ---- the same as zod (the OpenAPI response schema of GET /api/system; contract tests validate against it) ----
const ms = () => z.number().min(0)
const latencySchema = z.object({ p50: z.number().nullable(), p99: z.number().nullable() }).strict()
const healthSchema = <K extends z.ZodEnum>(kind: K) => z.object({ kind, ok: z.boolean(), latencyMs: z.number().nullable(), error: z.string().optional() }).strict()

export const providerCallStatsSchema = z
  .object({
    windowSec: z.number(),
    perSecond: z.number(),
    completed: z.number().int(),
    errors: z.number().int(),
    errorRate: z.number(),
    latencyMs: latencySchema,
    byModel: z.array(z.object({ provider: z.string(), model: z.string(), completed: z.number().int(), errors: z.number().int(), latencyMs: latencySchema }).strict()),
  })
  .strict()

export const systemMetricsSchema = z
  .object({
    at: z.string().describe('ISO 8601 timestamp'),
    instance: z.object({ id: z.string(), hostname: z.string(), pid: z.number().int(), version: z.string(), startedAt: z.string() }).strict(),
    uptime: z.object({ processSec: ms(), monitorSec: ms() }).strict(),
    intervalMs: ms(),
    cpu: z.object({ userPercent: ms(), systemPercent: ms(), cores: z.number().int(), loadAverage: z.tuple([z.number(), z.number(), z.number()]) }).strict(),
    memory: z.object({ rssBytes: ms(), heapUsedBytes: ms(), heapTotalBytes: ms(), externalBytes: ms(), arrayBuffersBytes: ms() }).strict(),
    eventLoop: z.object({ lagMs: z.object({ p50: ms(), p99: ms(), max: ms() }).strict(), utilization: z.number().min(0).max(1) }).strict(),
    gc: z.object({ count: z.number().int(), pauseMs: ms(), interval: z.object({ count: z.number().int(), pauseMs: ms() }).strict() }).strict(),
    sessions: z.object({ activeTurns: z.number().int(), loaded: z.number().int() }).strict(),
    turns: z.object({ started: z.number().int(), perSecond: z.number() }).strict(),
    streams: z.object({ open: z.number().int().nullable() }).strict(),
    jobs: z.object({ backend: z.enum(['agenda', 'timer']), queueDepth: z.number().int().nullable() }).strict(),
    providers: providerCallStatsSchema,
    database: healthSchema(z.enum(['pglite', 'postgres'])).nullable(),
    redis: healthSchema(z.enum(['redis', 'memory'])),
  })
  .strict()

// Compile-time check: the schema describes exactly the interface (changing one alone fails typecheck).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const sameShape: Same<z.infer<typeof systemMetricsSchema>, SystemMetrics> = true
void sameShape
