import { definePlugin } from '../../../kernel/index.js'
import { configSchema } from './config.js'
import { applySpawnPolicy } from './spawn-policy.js'
import { createTaskTool } from './task-tool.js'
import { TurnBudget } from './turn-budget.js'

/** Agents as sub-agents: the `task` tool delegates to another configured agent (a child session). */
export default definePlugin({
  name: 'agent-subagents',
  version: '0.1.0',
  description: 'The task tool: delegate work to another configured agent, run as a child session.',
  configSchema,
  register(ctx) {
    const options = ctx.options
    const { agents, tools } = ctx.registries
    const budget = new TurnBudget(options.maxChildrenPerTurn)
    const delegable = () => agents.list().filter((a) => options.agents === '*' || options.agents.includes(a.id))
    // The description lists the agents: rebuild the tool when agents come and go (API-created ones).
    let dispose = () => {}
    const install = () => {
      dispose()
      dispose = tools.add(createTaskTool(options, delegable(), budget))
    }
    install()
    agents.onChange(install)
    ctx.hooks.subagent.spawn.tapPromise({}, async (request, spawn) => applySpawnPolicy(request, spawn, options, ctx.registries))
  },
})
