import { z } from 'zod'
import { permissionRuleSchema } from '../../../kernel/index.js'

/** Agent ids (file names without `.md`, config keys, API ids): lowercase letters, digits and dashes. */
export const AGENT_ID = /^[a-z][a-z0-9-]*$/

export const DEFAULT_AGENT_DIR = 'config/agents'
export const DEFAULT_INSTRUCTION_FILES = ['AGENTS.md', 'LLXPRT.md', 'GEMINI.md', 'CLAUDE.md']

/** One permission rule of an agent (the kernel's shape); permission-policy reads them, this plugin only carries them. */
export { permissionRuleSchema }

/** Everything an agent has besides its id: shared by config agents, agent files and the API. */
export const agentFieldsSchema = z
  .object({
    name: z.string().min(1).optional(),
    description: z.string().default(''),
    systemPrompt: z.string().trim().min(1, 'the system prompt is empty'),
    provider: z.string().min(1),
    model: z.string().min(1),
    tools: z.union([z.literal('*'), z.array(z.string().min(1))]).default('*'),
    permissions: z.array(permissionRuleSchema).default([]),
  })
  .strict()

/** The frontmatter of an agent file: the fields above, the markdown body being the system prompt. */
export const frontmatterSchema = agentFieldsSchema.omit({ systemPrompt: true })

export const configSchema = z
  .object({
    /** Folder of `<id>.md` agent files, relative to the working directory; unset = `config/agents` if it exists. */
    dir: z.string().min(1).optional(),
    /** More agents written in the config file, by id. */
    agents: z.record(z.string().regex(AGENT_ID, 'an agent id: lowercase letters, digits and dashes, starting with a letter'), agentFieldsSchema).default({}),
    /** Project instruction file names looked up in the session workspace and its parents; [] turns the lookup off. */
    instructionFiles: z.array(z.string().min(1).regex(/^[^/\\]+$/, 'a file name, not a path')).default(DEFAULT_INSTRUCTION_FILES),
    /** Most bytes of project instructions added to one system prompt (files nearest the workspace first). */
    instructionMaxBytes: z.number().int().min(256).max(4 * 1024 * 1024).default(65_536),
  })
  .strict()

export type AgentPersonasOptions = z.output<typeof configSchema>
export type AgentFields = z.output<typeof agentFieldsSchema>
