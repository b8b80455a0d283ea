import { z } from 'zod'
import { defineTool, type AgentDefinition, type ToolDefinition } from '../../../kernel/index.js'
import type { SubagentOptions } from './config.js'
import { taskPrompt } from './task.prompt.js'
import type { TurnBudget } from './turn-budget.js'

export const TASK_TOOL = 'task'

const input = z
  .object({
    agent: z.string().min(1).describe('Id of the agent to delegate to (see the list in the description).'),
    description: z.string().min(1).max(120).describe('3 to 8 words naming the work.'),
    prompt: z.string().min(1).describe('The full instructions for the agent, and what to return.'),
  })
  .strict()

/** `task`: run another agent as a child session and return its final answer. */
export function createTaskTool(options: SubagentOptions, agents: AgentDefinition[], budget: TurnBudget): ToolDefinition<typeof input> {
  return defineTool({
    name: TASK_TOOL,
    description: taskPrompt(agents),
    kind: 'agent',
    inputSchema: input,
    subject: (args) => args.agent,
    // The kernel's tool timeout aborts the child (and its own children) through the call's signal.
    timeoutMs: options.childTimeoutMs,
    async execute(args, ctx) {
      if (!ctx.delegate) return { output: 'Delegation is not available here.', isError: true }
      if (!budget.take(ctx.sessionId, ctx.turnId)) {
        return { output: `Not started: this turn already started ${options.maxChildrenPerTurn} sub-agents (agent-subagents maxChildrenPerTurn). Do the rest yourself or in a later turn.`, isError: true }
      }
      ctx.reportProgress({ title: `${args.agent}: ${args.description}`, message: 'delegating' })
      const result = await ctx.delegate({ agent: args.agent, prompt: args.prompt, title: args.description, maxSteps: options.childMaxSteps })
      const metadata = { sessionId: result.sessionId, agent: args.agent, finish: result.finish }
      const title = `${args.agent}: ${args.description}`
      if (result.error) return { output: `The ${args.agent} agent failed (${result.error.code}): ${result.error.message}${result.answer ? `\nIts last answer:\n${result.answer}` : ''}`, isError: true, title, metadata }
      if (result.finish === 'aborted') return { output: `The ${args.agent} agent was stopped before it finished (aborted or over ${options.childTimeoutMs} ms).${result.answer ? `\nIts answer so far:\n${result.answer}` : ''}`, isError: true, title, metadata }
      const note = result.finish === 'max_steps' ? `\n(The agent reached its step limit of ${options.childMaxSteps}; the answer may be incomplete.)` : ''
      return { output: (result.answer || '(The agent finished without a text answer.)') + note, title, metadata }
    },
  })
}
