import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { CompletedCall } from './call-stats.js'
import type { ProbeResults } from './health.js'

/** Live values read at scrape time. */
export interface PrometheusSources {
  activeTurns(): number
  openStreams(): number | null
  sessionsLoaded(): number
  turnsStarted(): number
  /** Health and queue depth, refreshed by the route just before rendering. */
  probes(): ProbeResults | null
  /** Whether persistence-postgres is loaded (platform_db_up is only exported then). */
  hasDatabase: boolean
}

export interface PrometheusMetrics {
  recordCall(call: CompletedCall): void
  render(): Promise<string>
}

/** Seconds; model calls range from a fraction of a second to minutes. */
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]

/**
 * A registry of its own (never prom-client's global one, so two kernels in one process do not
 * collide) with prom-client's default Node metrics and the platform's.
 */
export function createPrometheusMetrics(sources: PrometheusSources): PrometheusMetrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const registers = [registry]

  const calls = new Counter({
    name: 'platform_provider_calls_total',
    help: 'Model calls that ended, by provider, model and outcome (ok, error, aborted).',
    labelNames: ['provider', 'model', 'outcome'] as const,
    registers,
  })
  const latency = new Histogram({
    name: 'platform_provider_latency_seconds',
    help: 'Model call duration from sending the request to the end of the stream.',
    labelNames: ['provider', 'model'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  })
  const gauge = (name: string, help: string, read: () => number | null) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const value = read()
        if (value !== null) this.set(value)
      },
    })
  gauge('platform_active_turns', 'Sessions with a turn running on this instance.', sources.activeTurns)
  gauge('platform_open_streams', 'Open event streams of this instance (SSE streams and WebSocket subscriptions).', sources.openStreams)
  gauge('platform_sessions_loaded', 'Sessions whose scope is loaded on this instance.', sources.sessionsLoaded)
  gauge('platform_job_queue_depth', 'Background jobs due and waiting for a worker (0 with the in-process timer scheduler).', () => sources.probes()?.queueDepth ?? null)
  if (sources.hasDatabase) gauge('platform_db_up', '1 when the database answered select 1 within the health timeout, else 0.', () => up(sources.probes()?.database?.ok))
  gauge('platform_redis_up', '1 when Redis answered PING within the health timeout (always 1 with the in-memory ports), else 0.', () => up(sources.probes()?.redis.ok))
  new Counter({
    name: 'platform_turns_started_total',
    help: 'Turns started on this instance.',
    registers,
    collect() {
      this.reset()
      this.inc(sources.turnsStarted())
    },
  })

  return {
    recordCall(call) {
      calls.inc({ provider: call.provider, model: call.model, outcome: call.outcome })
      latency.observe({ provider: call.provider, model: call.model }, call.latencyMs / 1000)
    },
    render: () => registry.metrics(),
  }
}

function up(ok: boolean | undefined): number | null {
  return ok === undefined ? null : ok ? 1 : 0
}
