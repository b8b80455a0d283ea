import { z } from 'zod'
import type { ChatContent, ChatMessage, ToolSpec } from '../provider.js'
import type { MessageInfo } from '../protocol/index.js'
import type { ToolDefinition } from '../tool.js'

/** Stored messages -> the provider-neutral chat history sent to a model. Reasoning is not replayed. */
export function toChatMessages(messages: MessageInfo[]): ChatMessage[] {
  const out: ChatMessage[] = []
  for (const message of messages) {
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
