import type { StreamChunk } from '../../../kernel/index.js'
import type { GeminiPart } from './request.js'
import { toUsage, type UsageMetadata } from './usage.js'

/** One streamed GenerateContentResponse (the SDK's object, or Code Assist's `response` field). */
export interface GeminiResponse {
  candidates?: Array<{ content?: { parts?: GeminiPart[] }; finishReason?: string; finishMessage?: string }>
  usageMetadata?: UsageMetadata
  promptFeedback?: { blockReason?: string; blockReasonMessage?: string }
}

/** Finish reasons that mean the answer was withheld: the turn ends with an error naming the reason. */
const BLOCKED = new Set([
  'SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'LANGUAGE', 'OTHER',
  'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'IMAGE_RECITATION', 'IMAGE_OTHER', 'NO_IMAGE',
])

/** Finish reasons that mean the model produced something unusable. */
const INVALID = new Set(['MALFORMED_FUNCTION_CALL', 'UNEXPECTED_TOOL_CALL', 'TOO_MANY_TOOL_CALLS', 'MISSING_THOUGHT_SIGNATURE', 'MALFORMED_RESPONSE'])

/**
 * Turns a model's streamed responses into kernel chunks: thought parts -> `thought` (with their
 * signature), text -> `text`, each functionCall part -> one complete `tool-call` (signature in
 * `meta.thoughtSignature`), the last usageMetadata -> `usage`, finishReason -> `finish` or `error`.
 * A signature on a text part is kept by a `thought` chunk with no text right after that text (the carrier
 * request.ts turns back into the signed part), only where gemini-cli's history keeps it: on a text part
 * that starts a run of text.
 */
export class GeminiStreamMapper {
  #usage: UsageMetadata | undefined
  #finish: { reason: string; message?: string } | undefined
  #toolCalls = 0
  #afterText = false
  #newCallId: (name: string) => string

  constructor(newCallId: (name: string) => string) {
    this.#newCallId = newCallId
  }

  get sawToolCall(): boolean {
    return this.#toolCalls > 0
  }

  push(response: GeminiResponse): StreamChunk[] {
    const out: StreamChunk[] = []
    if (response.usageMetadata) this.#usage = response.usageMetadata
    const blocked = response.promptFeedback?.blockReason
    if (blocked) {
      const detail = response.promptFeedback?.blockReasonMessage ? `: ${response.promptFeedback.blockReasonMessage}` : ''
      return [{ type: 'error', code: 'PROVIDER_GEMINI_BLOCKED', message: `Gemini blocked the prompt (${blocked})${detail}; rephrase it or start a new session.` }]
    }
    const candidate = response.candidates?.[0]
    for (const part of candidate?.content?.parts ?? []) out.push(...this.#part(part))
    if (candidate?.finishReason) this.#finish = { reason: candidate.finishReason, message: candidate.finishMessage }
    return out
  }

  #part(part: GeminiPart): StreamChunk[] {
    if (part.thought) {
      const text = part.text ?? ''
      if (!text && !part.thoughtSignature) return []
      return [{ type: 'thought', delta: text, ...(part.thoughtSignature ? { signature: part.thoughtSignature } : {}) }]
    }
    if (part.functionCall) {
      this.#afterText = false
      this.#toolCalls++
      const name = part.functionCall.name?.trim() || 'generic_tool'
      const meta = part.thoughtSignature ? { meta: { thoughtSignature: part.thoughtSignature } } : {}
      return [{ type: 'tool-call', callId: part.functionCall.id ?? this.#newCallId(name), tool: name, input: part.functionCall.args ?? {}, ...meta }]
    }
    if (typeof part.text === 'string') {
      const out: StreamChunk[] = []
      const joinsRun = this.#afterText
      if (part.text) out.push({ type: 'text', delta: part.text })
      else if (part.thoughtSignature && !joinsRun) out.push({ type: 'text', delta: '' })
      if (part.thoughtSignature && !joinsRun) out.push({ type: 'thought', delta: '', signature: part.thoughtSignature })
      this.#afterText = joinsRun || part.text !== ''
      return out
    }
    this.#afterText = false
    return part.thoughtSignature ? [{ type: 'text', delta: '' }, { type: 'thought', delta: '', signature: part.thoughtSignature }] : []
  }

  /** Chunks after the last response: usage, then the finish (or the error it stands for). */
  end(): StreamChunk[] {
    const out: StreamChunk[] = []
    if (this.#usage) out.push({ type: 'usage', usage: toUsage(this.#usage) })
    const finish = this.#finish
    if (!finish) {
      if (this.sawToolCall) out.push({ type: 'finish', reason: 'tool_calls' })
      else out.push({ type: 'error', code: 'PROVIDER_GEMINI_STREAM_TRUNCATED', message: 'The Gemini stream ended without a finish reason (the answer is incomplete); try again.', retryable: true })
      return out
    }
    const detail = finish.message ? `: ${finish.message}` : ''
    if (BLOCKED.has(finish.reason)) {
      out.push({ type: 'error', code: 'PROVIDER_GEMINI_BLOCKED', message: `Gemini stopped the answer (finish reason ${finish.reason})${detail}; rephrase the request.` })
    } else if (INVALID.has(finish.reason)) {
      out.push({ type: 'error', code: 'PROVIDER_GEMINI_INVALID_RESPONSE', message: `Gemini ended with ${finish.reason}${detail}; try again.`, retryable: true })
    } else if (finish.reason === 'MAX_TOKENS') {
      out.push({ type: 'finish', reason: 'length' })
    } else {
      out.push({ type: 'finish', reason: this.sawToolCall ? 'tool_calls' : 'stop' })
    }
    return out
  }
}
