import { Agenda, type Job } from 'agenda'
import { hostname } from 'node:os'
import { PlatformError, type Logger, type ScheduledJob, type Scheduler } from '../../../kernel/index.js'
import type { JobsAgendaOptions } from './config.js'
import { JobsAgendaErrorCode, type JobsDatabase } from './database.js'

/** Run timestamps kept per job name. */
const HISTORY = 50
/** How long shutdown waits for handlers that are still running. */
const DRAIN_MS = 5_000

export interface AgendaScheduler extends Scheduler {
  /** Create agenda on a connected database, define every job, start polling, apply queued calls. */
  start(db: JobsDatabase): Promise<void>
  /** Stop polling and unlock queued jobs; wait (bounded) for running handlers. Later calls are refused. */
  stop(): Promise<void>
}

type Action = (agenda: Agenda) => Promise<unknown>

function createAgenda(options: JobsAgendaOptions, db: JobsDatabase): Agenda {
  return new Agenda({
    backend: db.backend,
    name: `${hostname()}:${process.pid}`,
    processEvery: options.processEveryMs,
    defaultLockLifetime: options.lockLifetimeMs,
    maxConcurrency: options.maxConcurrency,
    // One-time jobs (now) leave no row behind once they succeeded.
    removeOnComplete: true,
  })
}

/** Resolve after all `promises` settled or `ms` passed, whichever is first (no timer left behind). */
async function settleWithin(promises: Promise<unknown>[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms)
  })
  await Promise.race([Promise.allSettled(promises), timeout])
  clearTimeout(timer)
}

/**
 * The scheduler port on agenda. define/every/now may be called before start (by plugins that start
 * earlier): they are applied once agenda runs. `every` is one job row per name, so a periodic job
 * runs once per interval across all server instances (agenda locks it).
 */
export function createAgendaScheduler(deps: { options: JobsAgendaOptions; logger: Logger }): AgendaScheduler {
  const jobs = new Map<string, ScheduledJob>()
  const history = new Map<string, number[]>()
  const running = new Set<Promise<void>>()
  const pending: Action[] = []
  let agenda: Agenda | null = null
  let stopped = false

  const record = (name: string) => {
    const list = history.get(name) ?? []
    list.push(Date.now())
    history.set(name, list.slice(-HISTORY))
  }

  const handler = (job: ScheduledJob) => async (agendaJob: Job) => {
    const run = job.run({ ...((agendaJob.attrs.data ?? {}) as Record<string, unknown>) })
    running.add(run)
    try {
      await run
      record(job.name)
    } catch (error) {
      deps.logger.error(`job ${job.name} failed`, { error: error instanceof Error ? error.message : String(error) })
      throw error
    } finally {
      running.delete(run)
    }
  }

  const whenRunning = async (name: string, action: Action): Promise<void> => {
    if (stopped) throw new PlatformError(JobsAgendaErrorCode.STOPPED, `Cannot schedule "${name}": jobs-agenda has shut down.`)
    if (!jobs.has(name)) {
      throw new PlatformError(JobsAgendaErrorCode.JOB_UNDEFINED, `The job "${name}" is not defined. Fix: call scheduler.define({ name: '${name}', run }) first.`)
    }
    if (agenda) await action(agenda)
    else pending.push(action)
  }

  return {
    define(job) {
      jobs.set(job.name, job)
      agenda?.define(job.name, handler(job))
    },
    every: (name, intervalMs, data = {}) => whenRunning(name, (a) => a.every(intervalMs, name, data)),
    now: (name, data = {}) => whenRunning(name, (a) => a.now(name, data)),
    runs: (name) => [...(history.get(name) ?? [])],

    async start(db) {
      const created = createAgenda(deps.options, db)
      created.on('error', (error: Error) => deps.logger.warn('agenda reported an error', { error: error.message }))
      for (const job of jobs.values()) created.define(job.name, handler(job))
      agenda = created
      await created.start()
      for (const action of pending.splice(0)) await action(created)
    },

    async stop() {
      stopped = true
      const current = agenda
      agenda = null
      if (!current) return
      await current.stop(false)
      await settleWithin([...running], DRAIN_MS)
    },
  }
}
