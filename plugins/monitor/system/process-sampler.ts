import { availableParallelism, loadavg } from 'node:os'
import { monitorEventLoopDelay, performance, PerformanceObserver, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks'
import type { protocol } from '../../../kernel/index.js'

type Metrics = protocol.SystemMetrics

/** The figures that describe one interval (closed by `tick()`), plus totals since the sampler started. */
export interface IntervalFigures {
  intervalMs: number
  cpu: Metrics['cpu']
  eventLoop: Metrics['eventLoop']
  gc: Metrics['gc']
}

export interface ProcessSampler {
  /** Close the current interval: its figures become what `figures()` answers until the next tick. */
  tick(): IntervalFigures
  /** The last closed interval; before the first tick, the time since start (without closing it). */
  figures(): IntervalFigures
  /** Live memory usage (not windowed). */
  memory(): Metrics['memory']
  stop(): void
}

/** Event-loop delay sampling resolution: the histogram's values include it, so it is subtracted. */
const RESOLUTION_MS = 10
const NS_PER_MS = 1e6
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits

function lagOf(histogram: IntervalHistogram): Metrics['eventLoop']['lagMs'] {
  // An empty histogram answers min = 2^63 and odd percentiles: no sample means no measured lag.
  if (histogram.count === 0) return { p50: 0, p99: 0, max: 0 }
  const lag = (ns: number) => round(Math.max(0, ns / NS_PER_MS - RESOLUTION_MS))
  return { p50: lag(histogram.percentile(50)), p99: lag(histogram.percentile(99)), max: lag(histogram.max) }
}

/**
 * CPU, event-loop lag and utilization, and GC pauses of this process, measured per interval: one
 * event-loop delay histogram and one `gc` PerformanceObserver for the whole process lifetime of the
 * plugin, both released by `stop()`.
 */
export function createProcessSampler(): ProcessSampler {
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  delay.enable()
  const gc = { count: 0, pauseMs: 0 }
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count += 1
      gc.pauseMs += entry.duration
    }
  })
  observer.observe({ entryTypes: ['gc'] })
  const cores = availableParallelism()

  let mark = { at: performance.now(), cpu: process.cpuUsage(), elu: performance.eventLoopUtilization(), gcCount: 0, gcPauseMs: 0 }
  let closed: IntervalFigures | null = null

  const measure = (): IntervalFigures => {
    const elapsedMs = Math.max(performance.now() - mark.at, 1)
    const cpu = process.cpuUsage(mark.cpu)
    const elu: EventLoopUtilization = performance.eventLoopUtilization(mark.elu)
    const [one, five, fifteen] = loadavg()
    return {
      intervalMs: Math.round(elapsedMs),
      // cpuUsage is in microseconds: µs / (ms * 1000) = share of one core.
      cpu: {
        userPercent: round((cpu.user / (elapsedMs * 1000)) * 100, 1),
        systemPercent: round((cpu.system / (elapsedMs * 1000)) * 100, 1),
        cores,
        loadAverage: [round(one), round(five), round(fifteen)],
      },
      eventLoop: { lagMs: lagOf(delay), utilization: round(elu.utilization, 3) },
      gc: { count: gc.count, pauseMs: round(gc.pauseMs), interval: { count: gc.count - mark.gcCount, pauseMs: round(gc.pauseMs - mark.gcPauseMs) } },
    }
  }

  return {
    tick() {
      closed = measure()
      delay.reset()
      mark = { at: performance.now(), cpu: process.cpuUsage(), elu: performance.eventLoopUtilization(), gcCount: gc.count, gcPauseMs: gc.pauseMs }
      return closed
    },
    figures: () => closed ?? measure(),
    memory() {
      const usage = process.memoryUsage()
      return { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed, heapTotalBytes: usage.heapTotal, externalBytes: usage.external, arrayBuffersBytes: usage.arrayBuffers }
    },
    stop() {
      delay.disable()
      observer.disconnect()
    },
  }
}
