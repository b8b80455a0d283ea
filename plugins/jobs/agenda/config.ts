import { z } from 'zod'

export const configSchema = z
  .object({
    /** How often agenda polls for due jobs, in ms (a number: agenda reads strings as human intervals). */
    processEveryMs: z.number().int().min(50).max(600_000).default(1_000),
    /** How long a running job keeps its lock, in ms; keep it small so shutdown and takeover are prompt. */
    lockLifetimeMs: z.number().int().min(500).max(600_000).default(10_000),
    /** Interval of the platform.maintenance job, in ms. */
    maintenanceEveryMs: z.number().int().min(100).default(60_000),
    /** Jobs run at the same time by this process (all job types together). */
    maxConcurrency: z.number().int().min(1).max(100).default(5),
  })
  .strict()

export type JobsAgendaOptions = z.output<typeof configSchema>
