import { hostname } from 'node:os'
import { PlatformError, type PluginContext, type protocol } from '../../../kernel/index.js'
import type {} from '../../jobs/agenda/services.js'
import type {} from '../../persistence/postgres/services.js'
import type {} from '../../realtime/redis/services.js'
import type {} from '../../server/http/services.js'
import { createCallStats, type CallStats, type CompletedCall } from './call-stats.js'
import type { MonitorSystemOptions } from './config.js'
import { createProbes, type ProbeTargets, type Probes } from './health.js'
import { takeSnapshot, type MonitorSources } from './monitor.js'
import { createProcessSampler, type ProcessSampler } from './process-sampler.js'
import { createPrometheusMetrics, type PrometheusMetrics } from './prometheus.js'
import type { MonitorSystemService } from './services.js'
import { createTicker, type Ticker } from './ticker.js'

export interface MonitorRuntime {
  readonly calls: CallStats
  readonly probes: Probes
  readonly service: MonitorSystemService
  /** Session scopes loaded on this instance (session.start / session.ended). */
  sessionStarted(id: string): void
  sessionEnded(id: string): void
  /** Resolve the other plugins' services, start the sampler (lifecycle.start). */
  start(): void
  /** Start the ticker (lifecycle.ready: nothing is emitted while booting). */
  startTicker(): void
  stop(): Promise<void>
}

type Ctx = Pick<PluginContext<MonitorSystemOptions>, 'options' | 'logger' | 'has' | 'resolve'>

/** Everything monitor-system owns, built at register (no I/O) and started at lifecycle.start. */
export function createMonitorRuntime(ctx: Ctx): MonitorRuntime {
  const { options } = ctx
  const loaded = new Set<string>()
  let prometheus: PrometheusMetrics | null = null
  const calls = createCallStats({ onCompleted: (call: CompletedCall) => prometheus?.recordCall(call) })
  let targets: ProbeTargets = {}
  const probes = createProbes(() => targets, options.healthTimeoutMs)
  let sampler: ProcessSampler | null = null
  let sources: MonitorSources | null = null
  let ticker: Ticker | null = null

  const snapshot = (): Promise<protocol.SystemMetrics> => {
    if (!sources) {
      return Promise.reject(new PlatformError('MONITOR_SYSTEM_NOT_STARTED', 'monitor-system has not started yet: its figures exist from lifecycle.start on; ask again once the server is up.', { httpStatus: 503, retryable: true }))
    }
    return takeSnapshot(sources)
  }

  return {
    calls,
    probes,
    service: {
      snapshot,
      async prometheusText() {
        if (!prometheus) return null
        await probes.refresh()
        return prometheus.render()
      },
    },
    sessionStarted: (id) => void loaded.add(id),
    sessionEnded: (id) => void loaded.delete(id),

    start() {
      const engine = ctx.resolve('engine')
      const server = ctx.has('server-http') ? ctx.resolve('serverHttp') : null
      const persistence = ctx.has('persistence-postgres') ? ctx.resolve('persistencePostgres') : null
      const redis = ctx.has('realtime-redis') ? ctx.resolve('realtimeRedis') : null
      const jobs = ctx.has('jobs-agenda') ? ctx.resolve('jobsAgenda') : null
      targets = {
        ...(persistence ? { database: { kind: persistence.mode === 'embedded' ? 'pglite' : 'postgres', roundTrip: () => persistence.query('select 1') } } : {}),
        ...(redis ? { redis: { kind: redis.mode, roundTrip: () => redis.ping() } } : {}),
        ...(jobs ? { queueDepth: () => jobs.queueDepth() } : {}),
      } satisfies ProbeTargets
      sampler = createProcessSampler()
      const openStreams = () => (server ? server.openStreams() : null)
      sources = {
        instance: { id: ctx.resolve('ids').next('inst'), hostname: hostname(), pid: process.pid, version: ctx.resolve('version'), startedAt: new Date().toISOString() },
        startedAt: Date.now(),
        sampler,
        calls,
        probes,
        activeTurns: () => engine.activeTurns(),
        sessionsLoaded: () => loaded.size,
        openStreams,
        jobsBackend: jobs ? 'agenda' : 'timer',
      }
      if (options.prometheus) {
        prometheus = createPrometheusMetrics({
          activeTurns: () => engine.activeTurns(),
          openStreams,
          sessionsLoaded: () => loaded.size,
          turnsStarted: () => calls.turns().started,
          probes: () => probes.latest(),
          hasDatabase: persistence !== null,
        })
      }
      const current = sampler
      ticker = createTicker({
        intervalMs: options.intervalMs,
        closeInterval: () => {
          current.tick()
          calls.tick()
        },
        emit: options.emitEvents
          ? {
              eventBus: () => ctx.resolve('eventBus'),
              snapshot,
              // With Redis another instance's clients may listen; in memory mode only this server's streams can.
              listening: () => redis?.mode === 'redis' || (openStreams() ?? 0) > 0,
            }
          : null,
        logger: ctx.logger,
      })
    },
    startTicker: () => ticker?.start(),
    async stop() {
      await ticker?.stop()
      sampler?.stop()
    },
  }
}
