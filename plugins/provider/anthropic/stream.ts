import type { StreamChunk } from '../../../kernel/index.js'
import { AnthropicErrorCode } from './errors.js'
import { REDACTED_PREFIX } from './messages.js'
import { toUsageReport } from './usage.js'

/** One server-sent event of the Messages API stream, as the SDK parsed it. */
export type WireEvent = { type: string; [key: string]: unknown }

type BlockState =
  | { kind: 'text' }
  | { kind: 'thinking'; signature: string }
  | { kind: 'tool'; id: string; name: string; json: string; initial: unknown }
  | { kind: 'other' }

const FINISH: Record<string, 'stop' | 'length' | 'tool_calls'> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  refusal: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
}

type Raw = Record<string, unknown>

/**
 * Maps Messages API stream events to kernel chunks: text and thinking deltas as they come, a
 * thinking block's signature when the block ends, a tool call once its streamed JSON input is
 * complete, usage after `message_delta`, and `finish` on `message_stop`.
 */
export class EventMapper {
  readonly #blocks = new Map<number, BlockState>()
  #usage: Raw | null = null
  #usageSent = false
  #stopReason: string | null = null
  #complete = false

  constructor(private readonly toolName: (wireName: string) => string = (name) => name) {}

  /** Whether `message_stop` arrived. */
  get complete(): boolean {
    return this.#complete
  }

  map(event: WireEvent): StreamChunk[] {
    switch (event.type) {
      case 'message_start':
        this.#usage = { ...(((event.message as Raw | undefined)?.usage as Raw | undefined) ?? {}) }
        return []
      case 'content_block_start':
        return this.#start(event.index as number, event.content_block as Raw)
      case 'content_block_delta':
        return this.#delta(event.index as number, event.delta as Raw)
      case 'content_block_stop':
        return this.#stop(event.index as number)
      case 'message_delta':
        return this.#messageDelta(event)
      case 'message_stop':
        this.#complete = true
        return [...this.#pendingUsage(), { type: 'finish', reason: FINISH[this.#stopReason ?? 'end_turn'] ?? 'stop' }]
      default:
        return []
    }
  }

  /** Usage known so far, if not reported yet (sent before an error ends a broken stream). */
  pendingUsage(): StreamChunk[] {
    return this.#pendingUsage()
  }

  #pendingUsage(): StreamChunk[] {
    if (this.#usageSent || !this.#usage) return []
    this.#usageSent = true
    return [{ type: 'usage', usage: toUsageReport(this.#usage) }]
  }

  #start(index: number, block: Raw): StreamChunk[] {
    switch (block.type) {
      case 'text':
        this.#blocks.set(index, { kind: 'text' })
        return typeof block.text === 'string' && block.text ? [{ type: 'text', delta: block.text }] : []
      case 'thinking':
        this.#blocks.set(index, { kind: 'thinking', signature: typeof block.signature === 'string' ? block.signature : '' })
        return typeof block.thinking === 'string' && block.thinking ? [{ type: 'thought', delta: block.thinking }] : []
      case 'redacted_thinking':
        this.#blocks.set(index, { kind: 'other' })
        return [{ type: 'thought', delta: '', signature: `${REDACTED_PREFIX}${String(block.data ?? '')}` }]
      case 'tool_use':
        this.#blocks.set(index, { kind: 'tool', id: String(block.id), name: this.toolName(String(block.name)), json: '', initial: block.input })
        return []
      default:
        this.#blocks.set(index, { kind: 'other' })
        return []
    }
  }

  #delta(index: number, delta: Raw): StreamChunk[] {
    const block = this.#blocks.get(index)
    if (delta.type === 'text_delta' && typeof delta.text === 'string' && delta.text) return [{ type: 'text', delta: delta.text }]
    if (delta.type === 'thinking_delta' && typeof delta.thinking === 'string' && delta.thinking) return [{ type: 'thought', delta: delta.thinking }]
    if (delta.type === 'signature_delta' && block?.kind === 'thinking') block.signature = String(delta.signature ?? '')
    if (delta.type === 'input_json_delta' && block?.kind === 'tool') block.json += String(delta.partial_json ?? '')
    return []
  }

  #stop(index: number): StreamChunk[] {
    const block = this.#blocks.get(index)
    this.#blocks.delete(index)
    if (block?.kind === 'thinking' && block.signature) return [{ type: 'thought', delta: '', signature: block.signature }]
    if (block?.kind !== 'tool') return []
    let input: unknown
    try {
      input = block.json.trim() === '' ? (isObject(block.initial) ? block.initial : {}) : JSON.parse(block.json)
    } catch (error) {
      const message = `Anthropic streamed invalid JSON as the input of tool "${block.name}" (${(error as Error).message}); the call was not run.`
      return [{ type: 'error', code: AnthropicErrorCode.TOOL_INPUT_INVALID, message, retryable: true }]
    }
    return [{ type: 'tool-call', callId: block.id, tool: block.name, input }]
  }

  #messageDelta(event: WireEvent): StreamChunk[] {
    const stop = (event.delta as Raw | undefined)?.stop_reason
    if (typeof stop === 'string') this.#stopReason = stop
    const usage = event.usage as Raw | undefined
    if (!usage) return []
    const merged: Raw = { ...(this.#usage ?? {}) }
    for (const [key, value] of Object.entries(usage)) if (value !== null && value !== undefined) merged[key] = value
    this.#usage = merged
    this.#usageSent = false
    return this.#pendingUsage()
  }
}

const isObject = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value)
