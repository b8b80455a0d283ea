import { z } from 'zod'
import { parseAllowEntry } from './address-policy.js'

export const configSchema = z
  .object({
    /**
     * Internal targets the SSRF guard lets through: hostnames (`intranet.example`, `*.corp.example`),
     * IP addresses (`127.0.0.1`, `::1`) or CIDR ranges (`10.0.0.0/8`, `fd00::/8`).
     */
    allowHosts: z
      .array(
        z.string().superRefine((entry, ctx) => {
          const problem = parseAllowEntry(entry).problem
          if (problem) ctx.addIssue({ code: 'custom', message: problem })
        }),
      )
      .default([]),
    /** Largest response body downloaded (after decompression), in bytes; larger responses fail. */
    maxDownloadBytes: z.number().int().min(1024).default(5 * 1024 * 1024),
    /** Longest text returned to the model, in characters; longer text is cut with a note. */
    maxOutputChars: z.number().int().min(100).default(100_000),
    /** Time allowed for one fetch (DNS, connect, redirects and body) when the call names none, in ms. */
    timeoutMs: z.number().int().min(100).default(30_000),
    /** The largest `timeout_ms` a call may ask for; larger values are lowered to it. */
    maxTimeoutMs: z.number().int().min(100).default(120_000),
    /** Redirects followed per fetch (every hop is checked by the SSRF guard). */
    maxRedirects: z.number().int().min(0).max(10).default(5),
    /** User-Agent header sent with every request. */
    userAgent: z.string().min(1).default('Mozilla/5.0 (compatible; AgentPlatform-web_fetch/0.1)'),
  })
  .strict()
  .refine((options) => options.timeoutMs <= options.maxTimeoutMs, {
    message: 'timeoutMs must not be larger than maxTimeoutMs.',
    path: ['timeoutMs'],
  })

export type WebOptions = z.output<typeof configSchema>
