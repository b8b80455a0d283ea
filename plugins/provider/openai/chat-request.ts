import type { ChatContent, ChatMessage, ModelRequest } from '../../../kernel/index.js'
import { chatTools, pairedCallIds, toOpenAIToolId } from './wire.js'

type ChatWireMessage = Record<string, unknown> & { role: string }

export interface ChatBodyOptions {
  /** `max_tokens`, when set. */
  maxTokens?: number
  /** `reasoning_effort` (OpenAI dialect), when set. */
  reasoningEffort?: string
}

const textOf = (parts: ChatContent[]) =>
  parts
    .filter((p): p is Extract<ChatContent, { type: 'text' }> => p.type === 'text')
    .map((p) => p.text)
    .join('\n')

/**
 * A tool result as llxprt sends it in a `tool` message: four labelled blocks (status, toolName,
 * error, output); an empty output reads `[no tool result]`.
 */
export function toolResultText(part: Extract<ChatContent, { type: 'tool-result' }>): string {
  const output = part.isError ? '[no tool result]' : part.output || '[no tool result]'
  const error = part.isError ? part.output : ''
  return ['status:', part.isError ? 'error' : 'success', '', 'toolName:', part.tool, '', 'error:', error, '', 'output:', output].join('\n')
}

function assistantMessage(message: ChatMessage, paired: Set<string>): ChatWireMessage | null {
  const calls = message.content.filter((p): p is Extract<ChatContent, { type: 'tool-call' }> => p.type === 'tool-call' && paired.has(toOpenAIToolId(p.callId)))
  if (calls.length > 0) {
    // As llxprt: an assistant turn with tool calls carries only the calls (no content, no reasoning).
    return {
      role: 'assistant',
      tool_calls: calls.map((call) => ({ id: toOpenAIToolId(call.callId), type: 'function', function: { name: call.tool, arguments: JSON.stringify(call.input ?? {}) } })),
    }
  }
  const hasTextOrReasoning = message.content.some((p) => p.type === 'text' || p.type === 'reasoning')
  return hasTextOrReasoning ? { role: 'assistant', content: textOf(message.content) } : null
}

function toWireMessages(messages: ChatMessage[]): ChatWireMessage[] {
  const paired = pairedCallIds(messages)
  const out: ChatWireMessage[] = []
  for (const message of messages) {
    if (message.role === 'user') {
      const text = textOf(message.content)
      if (text) out.push({ role: 'user', content: text })
    } else if (message.role === 'assistant') {
      const wire = assistantMessage(message, paired)
      if (wire) out.push(wire)
    } else {
      for (const part of message.content) {
        if (part.type === 'tool-result' && paired.has(toOpenAIToolId(part.callId))) {
          out.push({ role: 'tool', content: toolResultText(part), tool_call_id: toOpenAIToolId(part.callId) })
        }
      }
    }
  }
  return dropOrphanToolMessages(out)
}

/** A `tool` message must answer a call of the assistant message just before it (llxprt validateToolMessageSequence). */
function dropOrphanToolMessages(messages: ChatWireMessage[]): ChatWireMessage[] {
  let open: string[] = []
  return messages.filter((message) => {
    if (message.role === 'assistant') {
      if (Array.isArray(message.tool_calls)) open = (message.tool_calls as Array<{ id: string }>).map((c) => c.id)
      return true
    }
    if (message.role === 'tool') return open.includes(String(message.tool_call_id))
    open = []
    return true
  })
}

/**
 * The Chat Completions body llxprt sends (§5): the system prompt always first (an empty string when
 * there is none), `stream: true`, tools with `tool_choice: "auto"` only when the session has tools,
 * `max_tokens` / `reasoning_effort` only when configured, and `stream_options.include_usage`.
 * `request.extra.body` fields are merged before the configured ones.
 */
export function chatBody(request: ModelRequest, options: ChatBodyOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: request.model,
    messages: [{ role: 'system', content: request.system ?? '' }, ...toWireMessages(request.messages)],
    stream: true,
  }
  if (request.tools.length > 0) {
    body.tools = chatTools(request.tools)
    body.tool_choice = 'auto'
  }
  const extra = request.extra?.body
  if (extra && typeof extra === 'object') Object.assign(body, extra)
  if (options.reasoningEffort && body.reasoning_effort === undefined) body.reasoning_effort = options.reasoningEffort
  if (options.maxTokens !== undefined && body.max_tokens === undefined) body.max_tokens = options.maxTokens
  body.stream_options = { include_usage: true }
  return body
}
