import type { ChatContent, ChatMessage, ModelRequest } from '../../../kernel/index.js'
import { wireEffort } from './models.js'
import { pairedCallIds, promptCacheKey, responsesTools, toOpenAIToolId } from './wire.js'

export interface ResponsesBodyOptions {
  /** The ChatGPT Codex backend: `store: false`, no `max_output_tokens`, no cache retention. */
  codex: boolean
  /** The provider id this request is for; only reasoning it produced is replayed. */
  providerId: string
  reasoningEffort?: string
  reasoningSummary?: string
  textVerbosity?: string
  maxOutputTokens?: number
  promptCaching: boolean
  /** The session id: `prompt_cache_key` when caching is on. */
  cacheKey?: string
}

/**
 * What a reasoning part's `signature` holds for the Responses API: the output item id and its
 * `encrypted_content` (requested with `include: ["reasoning.encrypted_content"]`), as JSON.
 */
export function encodeReasoningSignature(id: string | undefined, encrypted: string): string {
  return JSON.stringify({ id, encrypted_content: encrypted })
}

export function decodeReasoningSignature(signature: string): { id?: string; encrypted: string } {
  try {
    const parsed = JSON.parse(signature) as { id?: unknown; encrypted_content?: unknown }
    if (typeof parsed.encrypted_content === 'string') return { id: typeof parsed.id === 'string' ? parsed.id : undefined, encrypted: parsed.encrypted_content }
  } catch {
    // not ours: treat the whole signature as the encrypted content
  }
  return { encrypted: signature }
}

type Item = Record<string, unknown>

function reasoningItems(parts: ChatContent[], options: ResponsesBodyOptions, counter: { n: number }): Item[] {
  const items: Item[] = []
  for (const part of parts) {
    if (part.type !== 'reasoning' || !part.signature || part.providerId !== options.providerId) continue
    const { id, encrypted } = decodeReasoningSignature(part.signature)
    items.push({ type: 'reasoning', id: id?.startsWith('rs') ? id : `rs_${Date.now()}_${counter.n++}`, summary: [{ type: 'summary_text', text: part.text }], encrypted_content: encrypted })
  }
  return items
}

/** ChatMessage[] -> Responses input items (llxprt OpenAIResponsesInputBuilder order: reasoning, text, calls). */
export function responsesInput(messages: ChatMessage[], options: ResponsesBodyOptions): Item[] {
  const paired = pairedCallIds(messages)
  const counter = { n: 0 }
  const input: Item[] = []
  for (const message of messages) {
    const texts = message.content.filter((p): p is Extract<ChatContent, { type: 'text' }> => p.type === 'text').map((p) => p.text)
    if (message.role === 'user') {
      if (texts.join('\n')) input.push({ role: 'user', content: texts.join('\n') })
      continue
    }
    if (message.role === 'assistant') {
      input.push(...reasoningItems(message.content, options, counter))
      if (texts.join('')) input.push({ role: 'assistant', content: texts.join('') })
    }
    for (const part of message.content) {
      const callId = part.type === 'tool-call' || part.type === 'tool-result' ? toOpenAIToolId(part.callId) : ''
      if (!paired.has(callId)) continue
      if (part.type === 'tool-call') input.push({ type: 'function_call', call_id: callId, name: part.tool, arguments: JSON.stringify(part.input ?? {}) })
      if (part.type === 'tool-result') input.push({ type: 'function_call_output', call_id: callId, output: part.output })
    }
  }
  return input
}

/**
 * The Responses body llxprt sends (§6, §7.5): `model`, `input`, `stream: true`; `instructions` when
 * there is a system prompt; tools with `tool_choice: "auto"` and `parallel_tool_calls: true` when
 * the session has tools; `reasoning` {effort, summary} and then `include:
 * ["reasoning.encrypted_content"]` when an effort is configured; `text.verbosity`; Codex: `store:
 * false` and no `max_output_tokens`; `prompt_cache_key` = session id (+ `prompt_cache_retention:
 * "24h"` off Codex). `request.extra.body` fields are merged after the stream flag.
 */
export function responsesBody(request: ModelRequest, options: ResponsesBodyOptions): Record<string, unknown> {
  const body: Record<string, unknown> = { model: request.model, input: responsesInput(request.messages, options), stream: true }
  if (options.maxOutputTokens !== undefined) body.max_output_tokens = options.maxOutputTokens
  const extra = request.extra?.body
  if (extra && typeof extra === 'object') Object.assign(body, extra)
  if (request.system) body.instructions = request.system
  if (request.tools.length > 0) {
    body.tools = responsesTools(request.tools)
    body.tool_choice ??= 'auto'
    body.parallel_tool_calls = true
  }
  let reasoning: Record<string, unknown> | undefined
  if (options.reasoningEffort) reasoning = { effort: wireEffort(options.reasoningEffort, request.model) }
  if (options.reasoningSummary && options.reasoningSummary !== 'none') reasoning = { ...reasoning, summary: options.reasoningSummary }
  if (reasoning && body.reasoning === undefined) body.reasoning = reasoning
  if (options.reasoningEffort) body.include = ['reasoning.encrypted_content']
  if (options.textVerbosity) body.text = { verbosity: options.textVerbosity }
  if (options.codex) {
    body.store = false
    delete body.max_output_tokens
  }
  if (options.promptCaching && options.cacheKey) {
    body.prompt_cache_key = promptCacheKey(options.cacheKey)
    if (!options.codex) body.prompt_cache_retention = '24h'
  }
  return body
}
