import { z } from 'zod'
import type { ChatContent, ChatMessage, ToolSpec } from '../provider.js'
import type { MessageInfo } from '../protocol/index.js'
import type { ToolDefinition } from '../tool.js'

/**
 * Order messages by turn: turns in the order their first message was created, and within a turn the
 * user's message before the answers. A message queued while an earlier turn ran is thus placed after
 * that turn's answer. With `upToTurn`, later turns are left out.
 */
export function orderByTurn(messages: MessageInfo[], upToTurn?: string): MessageInfo[] {
  const turns = new Map<string, MessageInfo[]>()
  for (const message of messages) {
    const list = turns.get(message.turnId) ?? []
    list.push(message)
    turns.set(message.turnId, list)
  }
  const out: MessageInfo[] = []
  for (const [turnId, list] of turns) {
    out.push(...list.filter((m) => m.role === 'user'), ...list.filter((m) => m.role !== 'user'))
    if (turnId === upToTurn) break
  }
  return out
}

/**
 * Stored messages -> the provider-neutral chat history sent to a model. Reasoning goes along with its
 * signature (providers decide whether to replay it); tool calls that have a result are followed by a
 * `tool` message carrying the results.
 */
export function toChatMessages(messages: MessageInfo[], upToTurn?: string): ChatMessage[] {
  const out: ChatMessage[] = []
  for (const message of orderByTurn(messages, upToTurn)) {
    const content: ChatContent[] = []
    const results: ChatContent[] = []
    for (const part of message.parts) {
      const data = part.data
      if (part.kind === 'text' && typeof data.text === 'string' && data.text.length > 0) {
        content.push({ type: 'text', text: data.text })
      } else if (part.kind === 'reasoning' && message.role === 'assistant' && (data.text || data.signature)) {
        content.push({ type: 'reasoning', text: String(data.text ?? ''), ...(data.signature ? { signature: String(data.signature), providerId: String(data.providerId ?? '') } : {}) })
      } else if (part.kind === 'tool' && message.role === 'assistant') {
        const meta = data.meta as Record<string, unknown> | undefined
        content.push({ type: 'tool-call', callId: String(data.callId), tool: String(data.tool), input: data.input, ...(meta ? { meta } : {}) })
        if (typeof data.output === 'string') {
          results.push({ type: 'tool-result', callId: String(data.callId), tool: String(data.tool), output: data.output, ...(data.state === 'error' ? { isError: true } : {}) })
        }
      }
    }
    if (content.length > 0) out.push({ role: message.role, content })
    if (results.length > 0) out.push({ role: 'tool', content: results })
  }
  return out
}

const specCache = new WeakMap<ToolDefinition, ToolSpec>()

/** A tool's model-facing spec, converted from zod to JSON Schema once per definition. */
export function toToolSpec(tool: ToolDefinition): ToolSpec {
  let spec = specCache.get(tool)
  if (!spec) {
    const schema = z.toJSONSchema(tool.inputSchema as z.ZodType, { io: 'input' }) as Record<string, unknown>
    delete schema.$schema
    spec = { name: tool.name, description: tool.description, inputSchema: schema }
    specCache.set(tool, spec)
  }
  return spec
}
