import type { ContentBlock, ToolResultBlock, WireMessage } from './messages.js'

/** Placeholders llxprt uses to keep a sequence valid. */
export const PLACEHOLDER = {
  interrupted: '[tool execution interrupted]',
  continue: 'Continue the conversation',
  hello: 'Hello',
  emptyUser: '[Empty message]',
  emptyAssistant: '[No content generated]',
} as const

const blocksOf = (content: WireMessage['content']): ContentBlock[] => (typeof content === 'string' ? [{ type: 'text', text: content }] : content)

const toolUseIds = (message: WireMessage): string[] =>
  Array.isArray(message.content) ? message.content.flatMap((b) => (b.type === 'tool_use' ? [b.id] : [])) : []

/** Drop tool results whose tool_use is nowhere in the history (and messages left empty by that). */
function dropOrphanResults(messages: WireMessage[]): WireMessage[] {
  const known = new Set(messages.flatMap((m) => (m.role === 'assistant' ? toolUseIds(m) : [])))
  return messages.flatMap((message) => {
    if (message.role !== 'user' || !Array.isArray(message.content)) return [message]
    const kept = message.content.filter((b) => b.type !== 'tool_result' || known.has(b.tool_use_id))
    return kept.length === 0 ? [] : [{ ...message, content: kept }]
  })
}

/** Every tool_use must be answered in the next message: move a later result there, or add an interrupted one. */
function answerToolUses(messages: WireMessage[]): WireMessage[] {
  const out = messages.map((m) => ({ ...m, content: typeof m.content === 'string' ? m.content : [...m.content] }))
  for (let i = 0; i < out.length; i++) {
    const ids = out[i].role === 'assistant' ? toolUseIds(out[i]) : []
    if (ids.length === 0) continue
    if (out[i + 1]?.role !== 'user') out.splice(i + 1, 0, { role: 'user', content: [] })
    const next = out[i + 1]
    const answered = new Set(blocksOf(next.content).flatMap((b) => (b.type === 'tool_result' ? [b.tool_use_id] : [])))
    const moved: ToolResultBlock[] = []
    for (const id of ids.filter((id) => !answered.has(id))) moved.push(takeLaterResult(out, i + 2, id) ?? { type: 'tool_result', tool_use_id: id, content: PLACEHOLDER.interrupted, is_error: true })
    if (moved.length > 0) next.content = [...moved, ...blocksOf(next.content)]
  }
  return out.filter((m) => !(m.role === 'user' && Array.isArray(m.content) && m.content.length === 0))
}

function takeLaterResult(messages: WireMessage[], from: number, id: string): ToolResultBlock | null {
  for (let j = from; j < messages.length; j++) {
    const content = messages[j].content
    if (messages[j].role !== 'user' || !Array.isArray(content)) continue
    const at = content.findIndex((b) => b.type === 'tool_result' && b.tool_use_id === id)
    if (at >= 0) return content.splice(at, 1)[0] as ToolResultBlock
  }
  return null
}

/** Consecutive messages of one role become one: tool results (user) or thinking (assistant) first. */
function mergeSameRole(messages: WireMessage[]): WireMessage[] {
  const out: WireMessage[] = []
  for (const message of messages) {
    const prev = out[out.length - 1]
    if (!prev || prev.role !== message.role) {
      out.push({ ...message })
      continue
    }
    const all = [...blocksOf(prev.content), ...blocksOf(message.content)]
    const first = (b: ContentBlock) => (message.role === 'user' ? b.type === 'tool_result' : b.type === 'thinking' || b.type === 'redacted_thinking')
    prev.content = [...all.filter(first), ...all.filter((b) => !first(b))]
  }
  return out
}

const isBlank = (content: WireMessage['content']) =>
  typeof content === 'string' ? content.trim() === '' : content.length === 0 || content.every((b) => b.type === 'text' && b.text.trim() === '')

const placeholder = (role: WireMessage['role']) => (role === 'assistant' ? PLACEHOLDER.emptyAssistant : PLACEHOLDER.emptyUser)

/** Empty text blocks are removed; a message left with nothing says so with a placeholder. */
function stripEmptyText(message: WireMessage): WireMessage {
  if (typeof message.content === 'string') return message.content.trim() === '' ? { ...message, content: placeholder(message.role) } : message
  const kept = message.content.filter((b) => b.type !== 'text' || b.text.trim() !== '')
  return kept.length === 0 ? { ...message, content: placeholder(message.role) } : kept.length === message.content.length ? message : { ...message, content: kept }
}

/**
 * Make a history acceptable to the Messages API the way llxprt's validator does: orphan results
 * dropped, unanswered tool_use answered, same-role runs merged, a user message first, no trailing
 * assistant message when thinking is on, no empty text.
 */
export function repairSequence(messages: WireMessage[], options: { thinking: boolean }): WireMessage[] {
  let out = mergeSameRole(answerToolUses(dropOrphanResults(messages)))
  if (out.length > 0 && out[0].role !== 'user') out.unshift({ role: 'user', content: PLACEHOLDER.continue })
  if (out.length === 0) out = [{ role: 'user', content: PLACEHOLDER.hello }]
  out = out.map((m, i) => (i < out.length - 1 && isBlank(m.content) ? { ...m, content: placeholder(m.role) } : m))
  if (options.thinking && out[out.length - 1].role === 'assistant') out.push({ role: 'user', content: PLACEHOLDER.continue })
  return out.map(stripEmptyText)
}
