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

/** Stored messages -> the provider-neutral chat history sent to a model. Reasoning is not replayed. */
export function toChatMessages(messages: MessageInfo[], upToTurn?: string): ChatMessage[] {
  const out: ChatMessage[] = []
  for (const message of orderByTurn(messages, upToTurn)) {
    const content: ChatContent[] = []
    for (const part of message.parts) {
      if (part.kind === 'text' && typeof part.data.text === 'string' && part.data.text.length > 0) {
        content.push({ type: 'text', text: part.data.text })
      } else if (part.kind === 'tool' && message.role === 'assistant') {
        content.push({ type: 'tool-call', callId: String(part.data.callId), tool: String(part.data.tool), input: part.data.input })
      }
    }
    if (content.length > 0) out.push({ role: message.role, content })
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
