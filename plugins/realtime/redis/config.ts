import { z } from 'zod'
import { secretSchema } from '../../../kernel/index.js'

export const configSchema = z
  .object({
    /** Redis URL, e.g. env('REDIS_URL', { optional: true }). Unset: the kernel's in-memory ports stay. */
    url: secretSchema.optional(),
    /** Prefix of every key and channel this plugin uses (tests use a unique one each). */
    keyPrefix: z.string().min(1).default('platform:'),
    /** Events kept per stream for replay; default: kernel.limits.eventRetention. */
    retention: z.number().int().positive().optional(),
    /** How long boot waits for each connection before failing, in ms. */
    connectTimeoutMs: z.number().int().positive().max(60_000).default(5_000),
  })
  .strict()

export type RealtimeRedisOptions = z.output<typeof configSchema>
