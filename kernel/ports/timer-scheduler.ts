import type { Logger, ScheduledJob, Scheduler } from './types.js'

export interface TimerScheduler extends Scheduler {
  stop(): void
}

/** Default scheduler: setInterval in this process; jobs-agenda replaces it with a shared queue. */
export function createTimerScheduler(deps: { logger: Logger }): TimerScheduler {
  const jobs = new Map<string, ScheduledJob>()
  const timers = new Set<NodeJS.Timeout>()
  const history = new Map<string, number[]>()

  const run = async (name: string, data: Record<string, unknown>): Promise<void> => {
    const job = jobs.get(name)
    if (!job) throw new Error(`job ${name} is not defined`)
    try {
      await job.run(data)
      const list = history.get(name) ?? []
      list.push(Date.now())
      history.set(name, list.slice(-50))
    } catch (error) {
      deps.logger.error(`job ${name} failed`, { error: String(error) })
    }
  }

  return {
    define(job) {
      jobs.set(job.name, job)
    },
    async every(name, intervalMs, data = {}) {
      const timer = setInterval(() => void run(name, data), intervalMs)
      timer.unref()
      timers.add(timer)
    },
    async now(name, data = {}) {
      setImmediate(() => void run(name, data))
    },
    runs(name) {
      return [...(history.get(name) ?? [])]
    },
    stop() {
      for (const timer of timers) clearInterval(timer)
      timers.clear()
    },
  }
}
