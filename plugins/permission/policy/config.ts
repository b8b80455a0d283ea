import { z } from 'zod'
import { permissionRuleSchema } from '../../../kernel/index.js'

export const configSchema = z
  .object({
    /** Rules nobody can override (checked first). Last matching rule wins within the list. */
    admin: z.array(permissionRuleSchema).default([]),
    /** The project's rules (after the agent's own). Last matching rule wins within the list. */
    rules: z.array(permissionRuleSchema).default([]),
    /** Deny `.env` and `.env.*` files (except `.env.example`) for every tool whose subject is a path. */
    denyEnvFiles: z.boolean().default(true),
  })
  .strict()
export type PolicyOptions = z.output<typeof configSchema>
