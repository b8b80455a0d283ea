import type pg from 'pg'
import type { Logger, ScheduledJob } from '../../../kernel/index.js'
import type { MaintenanceReport } from './services.js'

export const MAINTENANCE_JOB = 'platform.maintenance'

/** Failed one-time jobs older than this are deleted (successful ones are removed on completion). */
const PURGE_AFTER = '7 days'

const PURGE_SQL = `
  delete from agenda_jobs
  where repeat_interval is null and repeat_at is null and next_run_at is null
    and failed_at is not null and failed_at < now() - interval '${PURGE_AFTER}'`

const COUNT_SQL = `
  select count(*)::int as total,
    count(*) filter (where next_run_at is not null and disabled is not true)::int as scheduled,
    count(*) filter (where last_run_at is not null and (last_finished_at is null or last_run_at > last_finished_at))::int as running,
    count(*) filter (where failed_at is not null and failed_at >= last_finished_at)::int as failed
  from agenda_jobs`

/**
 * The periodic platform.maintenance job: purge old failed one-time jobs, count the queue and log it.
 * Unqualified table names resolve in the persistence schema (the pool sets search_path).
 */
export function maintenanceJob(deps: { pool: pg.Pool; logger: Logger; onReport: (report: MaintenanceReport) => void }): ScheduledJob {
  return {
    name: MAINTENANCE_JOB,
    async run() {
      const purged = (await deps.pool.query(PURGE_SQL)).rowCount ?? 0
      const counts = (await deps.pool.query<MaintenanceReport['jobs']>(COUNT_SQL)).rows[0]
      const report: MaintenanceReport = { at: new Date().toISOString(), jobs: counts, purged }
      deps.onReport(report)
      deps.logger.debug('maintenance done', { jobs: counts, purged })
    },
  }
}
