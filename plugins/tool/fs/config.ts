import { z } from 'zod'

const KIB = 1024

export const configSchema = z
  .object({
    /** read_file returns at most this many bytes of text per call (the read window). */
    maxReadBytes: z.number().int().min(1024).default(256 * KIB),
    /** read_file returns at most this many lines when the call gives no `limit`. */
    defaultReadLines: z.number().int().min(1).default(2000),
    /** Lines longer than this are cut in read_file and grep output. */
    maxLineChars: z.number().int().min(80).default(2000),
    /** edit_file refuses files larger than this (bytes). */
    maxEditBytes: z.number().int().min(1024).default(10 * KIB * KIB),
    /** list_dir shows at most this many entries. */
    listLimit: z.number().int().min(1).default(500),
    /** glob returns at most this many paths. */
    globLimit: z.number().int().min(1).default(200),
    /** grep returns at most this many matching lines. */
    grepLimit: z.number().int().min(1).default(200),
    /** Matching lines longer than this are cut in grep output. */
    grepLineChars: z.number().int().min(80).default(500),
    /** Use `rg` from PATH for grep when present ('auto') or always search in Node ('never'). */
    ripgrep: z.enum(['auto', 'never']).default('auto'),
    /** Allow reading and writing `.env` / `.env.*` files (denied by default; `.env.example` is always allowed). */
    allowEnvFiles: z.boolean().default(false),
    /** Time limit of read_file, write_file, edit_file and list_dir calls (ms). */
    fileTimeoutMs: z.number().int().min(100).default(30_000),
    /** Time limit of glob and grep calls (ms). */
    searchTimeoutMs: z.number().int().min(100).default(60_000),
  })
  .strict()

export type FsOptions = z.output<typeof configSchema>
