import type { protocol } from '../../../kernel/index.js'
import type { CallStats } from './call-stats.js'
import type { Probes } from './health.js'
import type { ProcessSampler } from './process-sampler.js'

/** What one snapshot reads; the live counters are functions so they are read at snapshot time. */
export interface MonitorSources {
  instance: protocol.SystemMetrics['instance']
  /** Epoch ms the monitor started (kernel boot). */
  startedAt: number
  sampler: ProcessSampler
  calls: CallStats
  probes: Probes
  activeTurns(): number
  sessionsLoaded(): number
  /** null without server-http. */
  openStreams(): number | null
  jobsBackend: 'agenda' | 'timer'
}

const seconds = (ms: number) => Math.round(ms / 100) / 10

/** One SystemMetrics: live gauges now, windowed figures of the last closed interval, health checked now. */
export async function takeSnapshot(sources: MonitorSources): Promise<protocol.SystemMetrics> {
  const probes = await sources.probes.refresh()
  const figures = sources.sampler.figures()
  const now = Date.now()
  return {
    at: new Date(now).toISOString(),
    instance: sources.instance,
    uptime: { processSec: Math.round(process.uptime() * 10) / 10, monitorSec: seconds(now - sources.startedAt) },
    intervalMs: figures.intervalMs,
    cpu: figures.cpu,
    memory: sources.sampler.memory(),
    eventLoop: figures.eventLoop,
    gc: figures.gc,
    sessions: { activeTurns: sources.activeTurns(), loaded: sources.sessionsLoaded() },
    turns: sources.calls.turns(),
    streams: { open: sources.openStreams() },
    // The timer scheduler runs jobs on their own timers: nothing ever waits in a queue.
    jobs: { backend: sources.jobsBackend, queueDepth: sources.jobsBackend === 'timer' ? 0 : probes.queueDepth },
    providers: sources.calls.providers(),
    database: probes.database,
    redis: probes.redis,
  }
}
