import { z } from 'zod'
import { secretSchema } from '../../../kernel/index.js'

/** The longest any command may run (a per-call `timeout_ms` included): 10 minutes. */
export const TIMEOUT_CEILING_MS = 600_000

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name (letters, digits, _)')

export const configSchema = z
  .object({
    /** Timeout of a command when the call sets no `timeout_ms`. */
    timeoutMs: z.number().int().min(100).max(TIMEOUT_CEILING_MS).default(120_000),
    /** The largest `timeout_ms` a call may ask for. */
    maxTimeoutMs: z.number().int().min(100).max(TIMEOUT_CEILING_MS).default(TIMEOUT_CEILING_MS),
    /** After SIGTERM to the process group, wait this long before SIGKILL. */
    killGraceMs: z.number().int().min(0).max(60_000).default(2_000),
    /** Output the model sees, in characters: longer output keeps its head and tail. */
    outputChars: z.number().int().min(1_000).max(1_000_000).default(30_000),
    /** At most one progress update per this many ms. */
    progressIntervalMs: z.number().int().min(10).max(10_000).default(100),
    /** Longest `output` of one progress update; a faster producer's middle is skipped (the log keeps it). */
    progressChars: z.number().int().min(1_000).max(1_000_000).default(16_000),
    /** Variables added to the commands' environment (after secrets are dropped); values may be env('NAME'). */
    env: z.record(envName, z.union([z.string(), secretSchema])).default({}),
    /** false: run commands in a new network namespace (`unshare -n`) when possible, else advisory. */
    allowNetwork: z.boolean().default(true),
    /** Absolute path of the shell; default: bash from PATH, else sh. */
    shell: z.string().min(1).optional(),
    /** Where full outputs are kept; default `<os tmp>/platform-tool-shell`. */
    logDir: z.string().min(1).optional(),
  })
  .strict()
  .refine((o) => o.timeoutMs <= o.maxTimeoutMs, { message: 'timeoutMs must not exceed maxTimeoutMs', path: ['timeoutMs'] })

export type ShellOptions = z.output<typeof configSchema>
