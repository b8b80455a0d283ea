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

/** The summary part of a compaction message, if the message is one. */
export function compactionOf(message: MessageInfo): { summary: string; replaced: string[] } | undefined {
  const part = message.parts.find((p) => p.kind === 'compaction')
  return part ? { summary: String(part.data.summary ?? ''), replaced: (part.data.replaced as string[] | undefined) ?? [] } : undefined
}

/**
 * The messages the model sees, in turn order: superseded answers left out, and after a compaction
 * its summary first, then what it kept (messages it replaced are left out).
 */
export function contextMessages(messages: MessageInfo[], upToTurn?: string): MessageInfo[] {
  const ordered = orderByTurn(messages.filter((m) => !m.supersededAt), upToTurn)
  const last = ordered.findLast((m) => compactionOf(m) !== undefined)
  if (!last) return ordered
  const replaced = new Set(compactionOf(last)!.replaced)
  return [last, ...ordered.filter((m) => m !== last && !replaced.has(m.id))]
}

export const SUMMARY_PREFIX = 'Summary of the earlier conversation (older messages were compacted into it):'

/**
 * Stored messages -> the provider-neutral chat history sent to a model. Reasoning goes along with its
 * signature (providers decide whether to replay it); tool calls that have a result are followed by a
 * `tool` message carrying the results; a compaction summary is a user text. Consecutive user messages
 * are merged (some providers require turns to alternate).
 */
export function toChatMessages(messages: MessageInfo[], upToTurn?: string): ChatMessage[] {
  const out: ChatMessage[] = []
  const push = (message: ChatMessage) => {
    const previous = out.at(-1)
    if (previous?.role === 'user' && message.role === 'user') previous.content.push(...message.content)
    else out.push(message)
  }
  for (const message of contextMessages(messages, upToTurn)) {
    const summary = compactionOf(message)
    if (summary) {
      push({ role: 'user', content: [{ type: 'text', text: `${SUMMARY_PREFIX}\n\n${summary.summary}` }] })
      continue
    }
    const content: ChatContent[] = []
    const results: ChatContent[] = []
    for (const part of message.parts) {
      const data = part.data
      if (part.kind === 'text' && typeof data.text === 'string' && data.text.length > 0) {
        content.push({ type: 'text', text: data.text })
      } else if (part.kind === 'file' && message.role === 'user') {
        content.push({ type: 'text', text: attachmentText(data) })
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
    if (content.length > 0) push({ role: message.role, content })
    if (results.length > 0) push({ role: 'tool', content: results })
  }
  return out
}

const TEXTUAL = /^(text\/|application\/(json|xml|javascript|x-yaml|yaml|toml|x-sh|sql|csv)|.*\+(json|xml)$)/

/** An attachment (`data` base64) as text for the model: textual types inline, others named only. */
export function attachmentText(data: Record<string, unknown>): string {
  const name = String(data.name ?? 'attachment')
  const mimeType = String(data.mimeType ?? 'application/octet-stream')
  if (!TEXTUAL.test(mimeType)) return `[Attached file ${name} (${mimeType}): binary content not shown to the model.]`
  const text = Buffer.from(String(data.data ?? ''), 'base64').toString('utf8')
  return `Attached file ${name} (${mimeType}):\n${text}`
}

/** A rough token count (4 characters a token) of what a request would send. */
export function estimateTokens(system: string, messages: ChatMessage[], tools: ToolSpec[]): number {
  let chars = system.length
  for (const message of messages) {
    for (const c of message.content) {
      if (c.type === 'text' || c.type === 'reasoning') chars += c.text.length
      else if (c.type === 'tool-result') chars += c.output.length
      else chars += c.tool.length + JSON.stringify(c.input ?? null).length
    }
  }
  for (const tool of tools) chars += tool.name.length + tool.description.length + JSON.stringify(tool.inputSchema).length
  return Math.ceil(chars / 4)
}

const specCache = new WeakMap<ToolDefinition, ToolSpec>()

/** A tool's model-facing spec, converted from zod to JSON Schema once per definition. */
export function toToolSpec(tool: ToolDefinition): ToolSpec {
  let spec = specCache.get(tool)
  if (!spec) {
    const schema = tool.jsonSchema ? { ...tool.jsonSchema } : (z.toJSONSchema(tool.inputSchema as z.ZodType, { io: 'input' }) as Record<string, unknown>)
    delete schema.$schema
    spec = { name: tool.name, description: tool.description, inputSchema: schema }
    specCache.set(tool, spec)
  }
  return spec
}
