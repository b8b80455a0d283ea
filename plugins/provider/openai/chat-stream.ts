import type { EventSourceMessage } from 'eventsource-parser'
import { APIConnectionError, APIError, APIUserAbortError } from 'openai'
import { PlatformError, type StreamChunk } from '../../../kernel/index.js'
import { HttpStatusError, isNetworkError, NetworkError, streamError, type ErrorContext } from './errors.js'
import { chatUsage } from './usage.js'

interface ToolCallDelta {
  index?: number
  id?: string
  function?: { name?: string; arguments?: string }
}

interface ChatChunk {
  error?: unknown
  choices?: Array<{ delta?: { content?: unknown; reasoning_content?: unknown; reasoning?: unknown; tool_calls?: ToolCallDelta[] }; finish_reason?: string | null }>
  usage?: unknown
}

interface PendingCall {
  id: string
  name: string
  args: string
}

function finishReason(reason: string, calledTools: boolean): 'stop' | 'length' | 'tool_calls' {
  if (reason === 'length') return 'length'
  if (reason === 'tool_calls' || reason === 'function_call' || calledTools) return 'tool_calls'
  return 'stop'
}

function parseArguments(call: PendingCall, context: ErrorContext): unknown {
  const text = call.args.trim()
  if (!text) return {}
  try {
    return JSON.parse(text)
  } catch {
    throw streamError.toolArguments(context, call.name, text)
  }
}

/** An openai SDK error in this plugin's terms: HTTP statuses, connection failures, in-stream API errors. */
export function fromSdkError(error: unknown, context: ErrorContext): unknown {
  if (error instanceof APIUserAbortError) return error
  if (error instanceof APIConnectionError) return new NetworkError(error.message, { cause: error.cause })
  if (error instanceof APIError) {
    if (typeof error.status === 'number') return new HttpStatusError(error.status, error.headers, { error: error.error })
    return streamError.failed(context, error.message)
  }
  return error
}

/** Errors met while reading: a broken connection is a truncated stream, bad JSON a malformed one. */
function readFailure(error: unknown, context: ErrorContext): unknown {
  const failure = fromSdkError(error, context)
  if (failure instanceof PlatformError) return failure
  if (failure instanceof SyntaxError) return streamError.malformed(context, failure.message)
  if (isNetworkError(failure)) return streamError.truncated(context)
  return failure
}

/** An error object sent inside the stream, in the words the openai SDK would have thrown it. */
function inStreamError(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message
  return typeof message === 'string' ? message : JSON.stringify(message ?? error)
}

/**
 * The server-sent events of a Chat Completions stream (`data: {chunk}` ... `data: [DONE]`) parsed as
 * the openai SDK's stream parses them (a chunk with `error` fails the stream), then
 * `chat.completion.chunk` objects -> stream chunks: `delta.content` -> text, `delta.reasoning_content`
 * (or `delta.reasoning`) -> thought, `delta.tool_calls` accumulated by index and emitted whole when
 * the choice finishes, the usage chunk -> usage, then one finish. A stream without a finish_reason
 * is truncated.
 */
export async function* mapChatStream(messages: AsyncIterable<EventSourceMessage>, context: ErrorContext): AsyncGenerator<StreamChunk> {
  const pending = new Map<number, PendingCall>()
  let finish: string | null = null
  let calledTools = false
  let done = false
  const flush = function* (): Generator<StreamChunk> {
    for (const [, call] of [...pending].sort(([a], [b]) => a - b)) {
      calledTools = true
      yield { type: 'tool-call', callId: call.id, tool: call.name, input: parseArguments(call, context) }
    }
    pending.clear()
  }
  try {
    for await (const message of messages) {
      // After [DONE] the rest is read and ignored, so the connection can be reused.
      if (done || message.data.startsWith('[DONE]')) {
        done = true
        continue
      }
      const chunk = JSON.parse(message.data) as ChatChunk
      if (chunk?.error) throw streamError.failed(context, inStreamError(chunk.error))
      const choice = chunk.choices?.[0]
      const delta = choice?.delta ?? {}
      const reasoning = delta.reasoning_content ?? delta.reasoning
      if (typeof reasoning === 'string' && reasoning) yield { type: 'thought', delta: reasoning }
      if (typeof delta.content === 'string' && delta.content) yield { type: 'text', delta: delta.content }
      for (const part of delta.tool_calls ?? []) {
        const index = part.index ?? 0
        const call = pending.get(index) ?? { id: '', name: '', args: '' }
        if (part.id) call.id = part.id
        if (part.function?.name) call.name += part.function.name
        if (part.function?.arguments) call.args += part.function.arguments
        pending.set(index, call)
      }
      if (choice?.finish_reason) {
        finish = choice.finish_reason
        yield* flush()
      }
      if (chunk.usage) yield { type: 'usage', usage: chatUsage(chunk.usage) }
    }
  } catch (error) {
    throw readFailure(error, context)
  }
  if (!finish) throw streamError.truncated(context)
  yield { type: 'finish', reason: finishReason(finish, calledTools) }
}
