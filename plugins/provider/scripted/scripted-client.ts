import { setTimeout as sleep } from 'node:timers/promises'
import type { ModelRequest, ProviderCallOptions, ProviderClient, StreamChunk } from '../../../kernel/index.js'
import type { ScriptedOptions, ScriptStep } from './config.js'

/** Requests as the kernel built them, newest last: tests assert what was sent. */
export interface RecordedRequest {
  at: string
  sessionId: string
  turnId: string
  request: ModelRequest
}

export interface ScriptedProviderService {
  /** The requests received, newest last. */
  requests(): RecordedRequest[]
  /** Replace the replies from now on (tests); the call counter restarts. */
  setReplies(replies: ScriptStep[][]): void
  /** Change the pace from now on. */
  setChunkDelay(ms: number): void
  client: ProviderClient
}

function* chunksOf(text: string, size: number): Generator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size)
}

function toChunks(step: ScriptStep, size: number, callIndex: number, stepIndex: number): StreamChunk[] {
  switch (step.type) {
    case 'text':
      return [...chunksOf(step.text, size)].map((delta) => ({ type: 'text', delta }))
    case 'thought':
      return [...chunksOf(step.text, size)].map((delta) => ({ type: 'thought', delta }))
    case 'tool-call':
      return [{ type: 'tool-call', callId: step.callId ?? `call_${callIndex}_${stepIndex}`, tool: step.tool, input: step.input }]
    case 'usage':
      return [{ type: 'usage', usage: { input: step.input, output: step.output, reasoning: step.reasoning, raw: step } }]
    case 'error':
      return [{ type: 'error', code: step.code, message: step.message }]
    case 'finish':
      return [{ type: 'finish', reason: step.reason }]
  }
}

const userTexts = (request: ModelRequest): string[] =>
  request.messages.filter((m) => m.role === 'user').flatMap((m) => m.content.flatMap((c) => (c.type === 'text' ? [c.text] : [])))

/**
 * The answer to a side call, made from the request so tests can see it was built from the conversation:
 * a title is the first words of the last user text; a summary lists the user texts it was given.
 */
function sideReply(request: ModelRequest, options: ScriptedOptions): ScriptStep[] | undefined {
  if (request.activity === 'title') {
    if (options.titleReply) return options.titleReply
    const words = (userTexts(request).at(-1) ?? '').split(/\s+/).filter(Boolean).slice(0, 6).join(' ')
    return [{ type: 'text', text: `Scripted: ${words}` }, { type: 'usage', input: 12, output: 6 }, { type: 'finish', reason: 'stop' }]
  }
  if (request.activity === 'compaction') {
    if (options.compactionReply) return options.compactionReply
    const texts = userTexts(request).slice(0, -1).map((text) => text.slice(0, 60))
    return [{ type: 'text', text: `Summary of ${request.messages.length - 1} messages. The user said: ${texts.join(' | ')}` }, { type: 'usage', input: 200, output: 40 }, { type: 'finish', reason: 'stop' }]
  }
  return undefined
}

/** Streams the configured replies at the configured pace and records each request. */
export function createScriptedService(options: ScriptedOptions): ScriptedProviderService {
  let replies = options.replies
  let delay = options.chunkDelayMs
  let calls = 0
  const modelCalls = new Map<string, number>()
  const nextReply = (model: string): { reply: ScriptStep[]; index: number } => {
    const own = options.modelReplies[model]
    if (own) {
      const index = modelCalls.get(model) ?? 0
      modelCalls.set(model, index + 1)
      return { reply: own[Math.min(index, own.length - 1)], index }
    }
    const index = calls++
    return { reply: replies[Math.min(index, replies.length - 1)], index }
  }
  const recorded: RecordedRequest[] = []

  async function* stream(request: ModelRequest, call: ProviderCallOptions): AsyncGenerator<StreamChunk> {
    // The kernel builds a fresh request per call and never changes it afterwards: keep it as is.
    recorded.push({ at: new Date().toISOString(), sessionId: call.session.id, turnId: call.turnId, request })
    if (recorded.length > options.recordLimit) recorded.splice(0, recorded.length - options.recordLimit)
    const side = sideReply(request, options)
    const { reply, index } = side ? { reply: side, index: -1 } : nextReply(request.model)
    for (const [stepIndex, step] of reply.entries()) {
      for (const chunk of toChunks(step, options.chunkChars, index, stepIndex)) {
        if (call.signal.aborted) return
        if (delay > 0) await sleep(delay, undefined, { signal: call.signal }).catch(() => undefined)
        if (call.signal.aborted) return
        yield chunk
      }
    }
  }

  return {
    requests: () => [...recorded],
    setReplies(next) {
      replies = next
      calls = 0
      modelCalls.clear()
    },
    setChunkDelay(ms) {
      delay = ms
    },
    client: { stream },
  }
}
