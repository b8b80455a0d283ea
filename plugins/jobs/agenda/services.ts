/** The public surface of jobs-agenda (import type only, from plugins that list it in dependsOn). */
export interface MaintenanceReport {
  /** When the run finished (ISO). */
  at: string
  /** Jobs in the agenda_jobs table, by state. */
  jobs: { total: number; scheduled: number; running: number; failed: number }
  /** Failed one-time jobs older than a week, deleted by this run. */
  purged: number
}

export interface JobsAgendaService {
  /** true: LISTEN/NOTIFY wakes workers at once (external PostgreSQL); false: polling only (embedded). */
  readonly notifications: boolean
  /** The last platform.maintenance result seen by this process, or null. */
  lastMaintenance(): MaintenanceReport | null
  /** Jobs due and waiting for a worker (due, not locked, not disabled): one count query; null before start and after shutdown. */
  queueDepth(): Promise<number | null>
}

declare module '../../../kernel/services.js' {
  interface KernelServices {
    jobsAgenda: JobsAgendaService
  }
}
