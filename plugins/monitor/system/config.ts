import { z } from 'zod'

export const configSchema = z.object({
  /** How often the windowed figures close and a `system.metrics` event is emitted, in ms. */
  intervalMs: z.number().int().min(100, 'intervalMs must be at least 100 ms').max(3_600_000).default(1000),
  /** Emit `system.metrics` on the global stream (see the README for when it is skipped). */
  emitEvents: z.boolean().default(true),
  /** Serve `GET /metrics` in the Prometheus text format. */
  prometheus: z.boolean().default(true),
  /** How long a health check (`select 1`, `PING`, the job queue count) may take before it counts as failed, in ms. */
  healthTimeoutMs: z.number().int().min(10).max(60_000).default(1000),
})

export type MonitorSystemOptions = z.output<typeof configSchema>
