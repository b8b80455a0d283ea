import { z } from 'zod'

export const configSchema = z
  .object({
    /** Deepest allowed child: a root session is depth 0, its children 1. Children at this depth get no `task` tool. */
    maxDepth: z.number().int().min(1).max(10).default(3),
    /** How many children one turn of a session may start. */
    maxChildrenPerTurn: z.number().int().min(1).max(100).default(8),
    /** A child's whole run (all its steps) must end within this; then it is aborted. */
    childTimeoutMs: z.number().int().min(1_000).max(3_600_000).default(600_000),
    /** Step limit of each child's turn (capped by the kernel's `limits.maxSteps`). */
    childMaxSteps: z.number().int().min(1).max(500).default(25),
    /** Agents that may be delegated to (`'*'` = every configured agent). */
    agents: z.union([z.literal('*'), z.array(z.string().min(1))]).default('*'),
  })
  .strict()
export type SubagentOptions = z.output<typeof configSchema>
