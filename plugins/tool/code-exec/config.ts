import { z } from 'zod'

export const configSchema = z
  .object({
    /** Time limit of a call that gives no `timeout_ms`, in ms. */
    timeoutMs: z.number().int().min(100).max(600_000).default(10_000),
    /** Highest `timeout_ms` a call may ask for, in ms. */
    maxTimeoutMs: z.number().int().min(100).max(600_000).default(60_000),
    /** Memory limit per snippet, in MB (the V8 heap for JavaScript, the data segment for Python). */
    memoryLimitMb: z.number().int().min(32).max(65_536).default(256),
    /** stdout and stderr are each cut to this many characters (head and tail kept, with a marker). */
    outputCapChars: z.number().int().min(200).max(10_000_000).default(20_000),
    /** Offer Python when the interpreter is found at start. */
    python: z.boolean().default(true),
    /** Command looked up on PATH (or an absolute path) for Python 3. */
    pythonCommand: z.string().min(1).default('python3'),
    /** Parent directory of the per-call temp dirs (default: the OS temp dir). */
    tempRoot: z.string().min(1).optional(),
  })
  .strict()
  .refine((o) => o.timeoutMs <= o.maxTimeoutMs, {
    path: ['timeoutMs'],
    message: 'timeoutMs must not exceed maxTimeoutMs: lower timeoutMs or raise maxTimeoutMs.',
  })
export type CodeExecOptions = z.output<typeof configSchema>
