import { z } from 'zod'

export const configSchema = z
  .object({
    /** Require a token on every request even when the server listens on loopback only. */
    requireTokens: z.boolean().default(false),
    /** Environment variable whose value, when set, is accepted as an admin token (bootstrap). */
    bootstrapTokenEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).default('PLATFORM_API_TOKEN'),
    /** Requests per minute per token (the local admin without a token is not limited). 0 = no limit. */
    rateLimitPerMinute: z.number().int().min(0).default(600),
    /** Origins allowed by CORS (`*` for any); empty = CORS off (no Access-Control headers). */
    corsOrigins: z.array(z.string().min(1)).default([]),
  })
  .strict()
export type ServerAuthOptions = z.output<typeof configSchema>
