import type { Logger } from '../../../kernel/index.js'
import type { PersistencePostgresService } from '../../persistence/postgres/services.js'
import { createAgendaScheduler, type AgendaScheduler } from './agenda-scheduler.js'
import type { JobsAgendaOptions } from './config.js'
import { openJobsDatabase, type JobsDatabase } from './database.js'
import { MAINTENANCE_JOB, maintenanceJob } from './maintenance.js'
import type { JobsAgendaService, MaintenanceReport } from './services.js'

export interface JobsRuntime {
  readonly scheduler: AgendaScheduler
  readonly service: JobsAgendaService
  start(persistence: PersistencePostgresService): Promise<void>
  stop(): Promise<void>
}

/** Everything jobs-agenda owns between lifecycle.start and lifecycle.shutdown. */
export function createJobsRuntime(deps: { options: JobsAgendaOptions; logger: Logger }): JobsRuntime {
  const scheduler = createAgendaScheduler(deps)
  let db: JobsDatabase | null = null
  let notifications = false
  let lastReport: MaintenanceReport | null = null

  return {
    scheduler,
    service: {
      get notifications() {
        return notifications
      },
      lastMaintenance: () => lastReport,
      // Read-only, for monitor-system. Unqualified agenda_jobs resolves in the persistence schema (the pool's search_path).
      async queueDepth() {
        if (!db) return null
        const sql = 'select count(*)::int as depth from agenda_jobs where next_run_at <= now() and locked_at is null and disabled is not true'
        return (await db.pool.query<{ depth: number }>(sql)).rows[0].depth
      },
    },
    async start(persistence) {
      notifications = persistence.mode === 'external'
      db = await openJobsDatabase({ connectionString: persistence.connectionString(), schema: persistence.schema, notifications, logger: deps.logger })
      scheduler.define(maintenanceJob({ pool: db.pool, logger: deps.logger, onReport: (report) => (lastReport = report) }))
      try {
        await scheduler.start(db)
        await scheduler.every(MAINTENANCE_JOB, deps.options.maintenanceEveryMs)
      } catch (error) {
        await scheduler.stop().catch(() => undefined)
        await db.close().catch(() => undefined)
        db = null
        throw error
      }
      deps.logger.info('agenda started', { schema: persistence.schema, pickup: notifications ? 'LISTEN/NOTIFY + polling' : 'polling', processEveryMs: deps.options.processEveryMs })
    },
    async stop() {
      await scheduler.stop()
      const open = db
      db = null
      await open?.close()
    },
  }
}
