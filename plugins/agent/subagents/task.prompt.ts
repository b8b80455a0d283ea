import type { AgentDefinition } from '../../../kernel/index.js'

/** Model-facing description of `task`, listing the agents it can delegate to. */
export function taskPrompt(agents: AgentDefinition[]): string {
  const list = agents.map((a) => `- ${a.id}${a.description ? `: ${a.description}` : ''}`)
  return [
    'Delegates a self-contained piece of work to another agent, which works on it in its own session with its own tools and returns its final answer as the result.',
    '',
    'Usage:',
    '- Give `prompt` everything the agent needs: it does not see this conversation. Say exactly what to return.',
    '- Give `description` 3 to 8 words naming the work (it becomes the child session title).',
    '- Several `task` calls in one step run at the same time: delegate independent pieces together.',
    '- The agent\'s answer is not shown to the user: summarize what matters from it in your reply.',
    '',
    'Agents:',
    ...(list.length > 0 ? list : ['- (none configured)']),
  ].join('\n')
}
