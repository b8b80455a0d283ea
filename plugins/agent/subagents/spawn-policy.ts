import { PlatformError, type DelegateRequest, type KernelRegistries, type SpawnContext } from '../../../kernel/index.js'
import type { SubagentOptions } from './config.js'
import { TASK_TOOL } from './task-tool.js'

export const SubagentErrorCode = {
  DEPTH_LIMIT: 'AGENT_SUBAGENTS_DEPTH_LIMIT',
  AGENT_NOT_ALLOWED: 'AGENT_SUBAGENTS_AGENT_NOT_ALLOWED',
} as const

/**
 * The plugin's own subagent.spawn policy: the depth limit, the allowed agents, and no `task` tool for a
 * child at the deepest level (it could not use it).
 */
export function applySpawnPolicy(request: DelegateRequest, ctx: SpawnContext, options: SubagentOptions, registries: KernelRegistries): DelegateRequest {
  if (ctx.depth > options.maxDepth) {
    throw new PlatformError(SubagentErrorCode.DEPTH_LIMIT, `Not started: a sub-agent here would be ${ctx.depth} levels deep, over the limit of ${options.maxDepth} (agent-subagents maxDepth). Do this work yourself.`, { details: { depth: ctx.depth, maxDepth: options.maxDepth } })
  }
  const known = registries.agents.ids()
  const allowed = options.agents === '*' ? known : options.agents.filter((id) => known.includes(id))
  if (!allowed.includes(request.agent)) {
    throw new PlatformError(SubagentErrorCode.AGENT_NOT_ALLOWED, `There is no agent "${request.agent}" to delegate to. Available: ${allowed.join(', ') || 'none'}.`, { details: { agent: request.agent, allowed } })
  }
  if (ctx.depth < options.maxDepth) return request
  const agent = registries.agents.get(request.agent)!
  const own = agent.tools === '*' ? registries.tools.ids() : agent.tools
  return { ...request, tools: (request.tools ?? own).filter((name) => name !== TASK_TOOL) }
}
