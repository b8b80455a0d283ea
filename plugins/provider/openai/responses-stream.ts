import type { EventSourceMessage } from 'eventsource-parser'
import type { StreamChunk } from '../../../kernel/index.js'
import { streamError, type ErrorContext } from './errors.js'
import { encodeReasoningSignature } from './responses-request.js'
import { responsesUsage } from './usage.js'

interface Item {
  id?: string
  type?: string
  call_id?: string
  name?: string
  arguments?: string
  encrypted_content?: string
  summary?: Array<{ text?: string }>
}

interface ResponsesEvent {
  type?: string
  delta?: string
  item_id?: string
  summary_index?: number
  arguments?: string
  item?: Item
  response?: { status?: string; usage?: unknown; error?: { message?: string; code?: string }; incomplete_details?: { reason?: string } }
  message?: string
  code?: string
  error?: { message?: string; code?: string }
}

/** Per-stream state: open function calls by item id, which reasoning source is shown per item. */
class ResponsesState {
  readonly calls = new Map<string, { callId: string; name: string; args: string }>()
  readonly reasoning = new Map<string, { source: string; summaryIndex?: number }>()
  calledTools = false
  terminal = false
  constructor(readonly context: ErrorContext) {}

  reasoningDelta(event: ResponsesEvent, source: string): StreamChunk | null {
    if (!event.delta) return null
    const key = event.item_id ?? ''
    const seen = this.reasoning.get(key)
    if (seen && seen.source !== source) return null // both raw text and summary: show one
    const breakLine = seen && source === 'summary' && event.summary_index !== undefined && event.summary_index !== seen.summaryIndex
    this.reasoning.set(key, { source, summaryIndex: event.summary_index })
    return { type: 'thought', delta: breakLine ? `\n\n${event.delta}` : event.delta }
  }

  toolCall(itemId: string, item?: Item, finalArguments?: string): StreamChunk | null {
    const open = this.calls.get(itemId) ?? (item?.type === 'function_call' ? { callId: item.call_id ?? itemId, name: item.name ?? '', args: '' } : undefined)
    if (!open) return null
    this.calls.delete(itemId)
    const text = (finalArguments ?? item?.arguments ?? open.args).trim()
    let input: unknown = {}
    try {
      if (text) input = JSON.parse(text)
    } catch {
      throw streamError.toolArguments(this.context, open.name, text)
    }
    this.calledTools = true
    return { type: 'tool-call', callId: open.callId, tool: open.name, input }
  }

  *reasoningDone(item: Item): Generator<StreamChunk> {
    const streamed = this.reasoning.has(item.id ?? '')
    const summary = (item.summary ?? []).map((s) => s.text ?? '').filter(Boolean).join('\n\n')
    if (!streamed && summary) yield { type: 'thought', delta: summary }
    if (item.encrypted_content) yield { type: 'thought', delta: '', signature: encodeReasoningSignature(item.id, item.encrypted_content) }
  }

  *completed(event: ResponsesEvent): Generator<StreamChunk> {
    const response = event.response ?? {}
    if (response.status === 'failed') throw streamError.failed(this.context, response.error?.message ?? 'no reason given')
    this.terminal = true
    if (response.usage) yield { type: 'usage', usage: responsesUsage(response.usage) }
    const incomplete = event.type === 'response.incomplete' || response.status === 'incomplete'
    const reason = this.calledTools ? 'tool_calls' : incomplete && response.incomplete_details?.reason !== 'content_filter' ? 'length' : 'stop'
    yield { type: 'finish', reason }
  }
}

function* dispatch(event: ResponsesEvent, state: ResponsesState): Generator<StreamChunk> {
  const item = event.item
  switch (event.type) {
    case 'response.output_text.delta':
      if (event.delta) yield { type: 'text', delta: event.delta }
      return
    case 'response.reasoning_summary_text.delta':
    case 'response.reasoning_text.delta': {
      const chunk = state.reasoningDelta(event, event.type.includes('summary') ? 'summary' : 'text')
      if (chunk) yield chunk
      return
    }
    case 'response.output_item.added':
      if (item?.type === 'function_call' && item.id) state.calls.set(item.id, { callId: item.call_id ?? item.id, name: item.name ?? '', args: item.arguments ?? '' })
      return
    case 'response.function_call_arguments.delta': {
      const open = state.calls.get(event.item_id ?? '')
      if (open && event.delta) open.args += event.delta
      return
    }
    case 'response.function_call_arguments.done': {
      const chunk = state.toolCall(event.item_id ?? '', undefined, event.arguments)
      if (chunk) yield chunk
      return
    }
    case 'response.output_item.done': {
      if (item?.type === 'reasoning') yield* state.reasoningDone(item)
      const chunk = item?.type === 'function_call' ? state.toolCall(item.id ?? '', item) : null
      if (chunk) yield chunk
      return
    }
    case 'response.completed':
    case 'response.done':
    case 'response.incomplete':
      yield* state.completed(event)
      return
    case 'response.failed':
      throw streamError.failed(state.context, event.response?.error?.message ?? 'no reason given')
    case 'error':
      throw streamError.failed(state.context, `${event.message ?? event.error?.message ?? 'unknown error'}${event.code ?? event.error?.code ? ` (${event.code ?? event.error?.code})` : ''}`)
  }
}

/**
 * Responses SSE events -> stream chunks (§6): text deltas, reasoning summary/text deltas as thoughts,
 * reasoning items' encrypted content as the thought signature, function calls emitted whole when
 * done, terminal `response.completed|done|incomplete` -> usage + finish; `response.failed` and
 * `error` events fail the stream, and a body that ends without a terminal event is truncated.
 */
export async function* mapResponsesStream(messages: AsyncIterable<EventSourceMessage>, context: ErrorContext): AsyncGenerator<StreamChunk> {
  const state = new ResponsesState(context)
  for await (const message of messages) {
    if (message.data.trim() === '[DONE]') continue
    let event: ResponsesEvent
    try {
      event = JSON.parse(message.data) as ResponsesEvent
    } catch (error) {
      throw streamError.malformed(context, (error as Error).message)
    }
    event.type ??= message.event
    yield* dispatch(event, state)
    if (state.terminal) return
  }
  throw streamError.truncated(context)
}
