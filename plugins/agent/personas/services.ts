/**
 * The public surface of agent-personas for plugins that list it in dependsOn or optionalDependsOn
 * (import type only). permission-policy reads agents' rules through `permissionsOf`.
 */
import type { AgentDefinition } from '../../../kernel/index.js'

/** One rule of an agent's permission list: within a list the last matching rule wins. */
export interface PermissionRule {
  /** Tool name or glob (`run_command`, `mcp__*`). */
  tool: string
  /** Glob on the call's subject (a path, a command prefix); absent = every call of the tool. */
  match?: string
  action: 'allow' | 'ask' | 'deny'
}

/** An agent as this plugin registers it: the kernel's definition plus its permission rules. */
export interface PersonaDefinition extends AgentDefinition {
  permissions: PermissionRule[]
}

/** Where an agent comes from: the config file, a markdown file, the API, or another plugin. */
export type AgentSource = 'config' | 'file' | 'api' | 'plugin'

/** An item of `GET /api/agents`. */
export interface AgentSummary {
  id: string
  name: string
  description: string
  provider: string
  model: string
  tools: '*' | string[]
  source: AgentSource
}

/** `GET /api/agents/:id` and the answer to `POST /api/agents`. */
export interface AgentDetail extends AgentSummary {
  systemPrompt: string
  permissions: PermissionRule[]
  /** The agent file, relative to the working directory (source `file` only). */
  file?: string
  /** When it was created through the API (source `api` only). */
  createdAt?: string
}

/** One project instruction file found for a workspace. */
export interface InstructionFile {
  /** Absolute path. */
  path: string
  /** Path relative to the workspace, as shown in the system prompt header. */
  label: string
  /** Bytes of the file on disk. */
  size: number
  /** The text added (cut to the size cap). */
  text: string
  truncated: boolean
}

export interface AgentPersonasService {
  list(): AgentSummary[]
  get(id: string): AgentDetail | undefined
  /** The permission rules of an agent ([] when it has none or is unknown). */
  permissionsOf(agentId: string): PermissionRule[]
  /** Project instruction files for a workspace, outermost directory first (what request.build appends). */
  instructionsFor(workspace: string): Promise<InstructionFile[]>
}

declare module '../../../kernel/services.js' {
  interface KernelServices {
    agentPersonas: AgentPersonasService
  }
}
