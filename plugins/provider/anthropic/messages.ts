import type { ChatContent, ChatMessage } from '../../../kernel/index.js'
import { repairSequence } from './message-sequence.js'

export type CacheControl = { type: 'ephemeral'; ttl: '5m' | '1h' }

export type ContentBlock =
  | { type: 'text'; text: string; cache_control?: CacheControl }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown; cache_control?: CacheControl }
  | { type: 'tool_result'; tool_use_id: string; content: string; is_error?: boolean; cache_control?: CacheControl }

export type ToolResultBlock = Extract<ContentBlock, { type: 'tool_result' }>

/** One message of the Messages API. */
export interface WireMessage {
  role: 'user' | 'assistant'
  content: string | ContentBlock[]
}

/** The provider id stamped on reasoning this plugin streamed; only such reasoning is replayed. */
export const PROVIDER_ID = 'anthropic'

/**
 * A `redacted_thinking` block travels through the kernel as reasoning whose signature is this prefix
 * plus the block's `data`, so it can be sent back unchanged.
 */
export const REDACTED_PREFIX = 'redacted_thinking:'

/** A call id the API accepts (`toolu_…`, only `[A-Za-z0-9_-]`), as llxprt normalises ids from other providers. */
export function toToolUseId(id: string): string {
  if (!id) return 'toolu_empty'
  if (id.startsWith('toolu_')) return id
  const bare = id.startsWith('hist_tool_') ? id.slice('hist_tool_'.length) : id.startsWith('call_') ? id.slice('call_'.length) : id
  return `toolu_${bare.replace(/[^a-zA-Z0-9_-]/g, '-')}`
}

function toolInput(input: unknown): Record<string, unknown> {
  let value = input
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value)
    } catch {
      value = {}
    }
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

function toolResult(content: Extract<ChatContent, { type: 'tool-result' }>): ToolResultBlock {
  const block: ToolResultBlock = { type: 'tool_result', tool_use_id: toToolUseId(content.callId), content: content.output || '[empty tool result]' }
  if (content.isError) block.is_error = true
  return block
}

/** Reasoning this provider signed becomes a thinking block again; anyone else's is left out. */
function thinkingBlock(content: Extract<ChatContent, { type: 'reasoning' }>): ContentBlock | null {
  if (content.providerId !== PROVIDER_ID || !content.signature) return null
  if (content.signature.startsWith(REDACTED_PREFIX)) return { type: 'redacted_thinking', data: content.signature.slice(REDACTED_PREFIX.length) }
  return { type: 'thinking', thinking: content.text, signature: content.signature }
}

const joinText = (content: ChatContent[]) =>
  content.map((c) => (c.type === 'text' ? c.text : '')).join('')

function assistantMessage(content: ChatContent[]): WireMessage {
  const blocks: ContentBlock[] = []
  for (const part of content) {
    if (part.type === 'text') blocks.push({ type: 'text', text: part.text })
    else if (part.type === 'reasoning') {
      const block = thinkingBlock(part)
      if (block) blocks.push(block)
    } else if (part.type === 'tool-call') {
      // History keeps the tool's own name; llxprt sends it unprefixed even on OAuth calls.
      blocks.push({ type: 'tool_use', id: toToolUseId(part.callId), name: part.tool, input: toolInput(part.input) })
    }
  }
  const structured = blocks.some((b) => b.type !== 'text')
  return { role: 'assistant', content: structured ? blocks : joinText(content) }
}

/**
 * The kernel's chat history as Messages API messages: user text as a string, assistant turns with
 * thinking (signatures replayed), text and tool_use blocks, tool results as a user message of
 * `tool_result` blocks; then the sequence is repaired the way llxprt does (see message-sequence.ts).
 */
export function toWireMessages(messages: ChatMessage[], options: { thinking: boolean }): WireMessage[] {
  const out: WireMessage[] = []
  let pending: ToolResultBlock[] = []
  const flush = () => {
    if (pending.length > 0) out.push({ role: 'user', content: pending })
    pending = []
  }
  for (const message of messages) {
    for (const part of message.content) if (part.type === 'tool-result') pending.push(toolResult(part))
    if (message.role === 'tool') continue
    const rest = message.content.filter((c) => c.type !== 'tool-result')
    if (message.role === 'user' && rest.length === 0) continue
    flush()
    out.push(message.role === 'user' ? { role: 'user', content: joinText(rest) } : assistantMessage(rest))
  }
  flush()
  return repairSequence(out, options)
}
