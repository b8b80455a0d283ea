import { KernelErrorCode } from '../errors.js'
import { isTapped, type KernelHooks } from '../hooks/index.js'
import type { Clock, Ids, Logger, SessionStore, WriteOptions } from '../ports/types.js'
import type { ModelRequest, ProviderClient, StreamChunk, UsageReport } from '../provider.js'
import type { FinishReason, MessageInfo, SessionInfo } from '../protocol/index.js'
import type { KernelRegistries } from '../registries/index.js'
import type { Rejection, StreamContext, TurnContext } from '../turn.js'
import type { EventWriter } from './event-writer.js'
import { compact } from './compaction.js'
import { estimateTokens, toChatMessages, toToolSpec } from './history.js'
import { MessageBuilder } from './message-builder.js'
import { withStreamTimeouts } from './stream-timeouts.js'
import { expandToolSet } from './tool-set.js'
import { callKey } from './tool-call.js'
import { runToolCalls, type PendingCall, type ToolRunDeps } from './tool-runner.js'
import type { KernelConfig } from '../config.js'

export interface TurnDeps {
  config: KernelConfig
  hooks: KernelHooks
  registries: KernelRegistries
  sessionStore: SessionStore
  clock: Clock
  ids: Ids
  logger: Logger
  notify: (hook: unknown, ...args: unknown[]) => Promise<void>
  clientFor: (providerId: string) => ProviderClient
  /** Store the message (and keep the cached history in step); a turn's writes are lazy unless `options` says durable. */
  persist: (message: MessageInfo, turnId: string, options?: WriteOptions) => Promise<void>
  /** Put the message in the history now, store it in the background (`stored` settles when the store has it). */
  persistBehind: (message: MessageInfo, turnId: string) => Promise<{ stored: Promise<void> }>
  /** The session's stored messages (cached by the engine). */
  history: () => Promise<MessageInfo[]>
  tools: ToolRunDeps
}

export interface TurnInput {
  session: SessionInfo
  turnId: string
  signal: AbortSignal
  events: EventWriter
  /** This turn's step limit when lower than `limits.maxSteps` (a delegated child's budget). */
  maxSteps?: number
}

type TurnError = { code: string; message: string; retryable?: boolean }

/** One turn: model call -> tool calls -> tool results -> next model call, until the model stops. */
export async function runTurn(deps: TurnDeps, input: TurnInput): Promise<{ finish: FinishReason; error?: TurnError }> {
  const { session, turnId, events } = input
  const fail = (error: TurnError) => {
    events.emit('error', { ...error, turnId })
    return { finish: 'error' as const, error }
  }
  const provider = deps.registries.providers.get(session.provider)
  if (!provider) return fail({ code: KernelErrorCode.SESSION_PROVIDER_UNKNOWN, message: `Provider "${session.provider}" is no longer enabled.` })
  const credential = provider.checkCredential ? await provider.checkCredential() : ({ ok: true } as const)
  if (!credential.ok) return fail({ code: credential.code, message: credential.message })
  // A step's tool results are stored while the next model call goes out; the turn does not end before they are.
  const storing = { done: Promise.resolve() }
  try {
    return await runSteps(deps, input, fail, storing)
  } finally {
    await storing.done
  }
}

async function runSteps(deps: TurnDeps, input: TurnInput, fail: (error: TurnError) => { finish: 'error'; error: TurnError }, storing: { done: Promise<void> }) {
  const { session, turnId, signal, events } = input
  let lastKey = ''
  let streak = 0
  for (let step = 1; ; step++) {
    const turn: TurnContext = { sessionId: session.id, turnId, session, step, signal }
    const result = await modelStep(deps, input, turn)
    await storing.done
    if ('rejected' in result) return fail(result.rejected)
    const { message, outcome } = result
    if (signal.aborted) return { finish: 'aborted' as const }
    if (outcome.error) return fail(outcome.error)
    const pending = message.parts.filter((p) => p.kind === 'tool' && p.data.state === 'pending')
    if (pending.length === 0) return { finish: message.finish ?? 'stop' }
    if (step >= (input.maxSteps ?? deps.config.limits.maxSteps)) {
      for (const part of pending) Object.assign(part.data, { state: 'error', output: 'Not run: the turn reached its step limit.', error: { code: 'TURN_MAX_STEPS', message: 'step limit reached' } })
      await deps.persist(message, turnId)
      return { finish: 'max_steps' as const }
    }
    const calls: PendingCall[] = pending.map((part) => {
      const key = callKey(String(part.data.tool), part.data.input)
      streak = key === lastKey ? streak + 1 : 0
      lastKey = key
      return { callId: String(part.data.callId), tool: String(part.data.tool), input: part.data.input, partId: part.id, repeats: streak }
    })
    const outcomes = await runToolCalls(deps.tools, calls, { session, turn, messageId: message.id, events })
    for (const part of pending) {
      const done = outcomes.get(String(part.data.callId))
      if (done) Object.assign(part.data, done)
      part.updatedAt = deps.clock.now().toISOString()
    }
    storing.done = (await deps.persistBehind(message, turnId)).stored
    storing.done.catch(() => undefined)
    if (signal.aborted) return { finish: 'aborted' as const }
  }
}

type StepResult = { message: MessageInfo; outcome: StreamOutcome } | { rejected: TurnError }

/** One model call: admit, build, stream into a new assistant message, persist it. */
async function modelStep(deps: TurnDeps, input: TurnInput, turn: TurnContext): Promise<StepResult> {
  const { session, turnId, signal, events } = input
  const agent = deps.registries.agents.get(session.agent)
  const offered = expandToolSet(session.tools, deps.registries)
  const tools = deps.hooks.tool.select.call(offered, turn)
  const system = agent?.systemPrompt ?? ''
  const specs = tools.map(toToolSpec)
  let messages = toChatMessages(await deps.history(), turnId)
  const contextTokens = contextWindow(deps, session)
  const estimatedTokens = estimateTokens(system, messages, specs)
  if (estimatedTokens >= contextTokens * deps.config.limits.compactAt) {
    const compacted = await compact(deps, { session, turnId, signal, events, reason: 'auto', estimatedTokens, contextTokens }).catch((error: unknown) => {
      // The call goes on uncompacted: the provider may still take it, or fail with its own clear error.
      events.emit('error', { code: KernelErrorCode.COMPACTION_FAILED, message: `Compacting the conversation failed: ${(error as Error).message}`, turnId })
      return false
    })
    if (compacted) messages = toChatMessages(await deps.history(), turnId)
  }
  let request: ModelRequest = { provider: session.provider, model: session.model, activity: 'conversation', system, messages, tools: specs, extra: {} }
  const rejection = await deps.hooks.request.admit.promise(request, turn)
  if (rejection && !(rejection.askUser && (await allowedByUser(deps, input, turn, rejection)))) return { rejected: { code: rejection.code, message: rejection.message } }
  request = await deps.hooks.request.build.promise(request, turn)

  const now = deps.clock.now().toISOString()
  const message: MessageInfo = {
    id: deps.ids.next('msg'), sessionId: session.id, turnId, role: 'assistant', agent: session.agent,
    provider: session.provider, model: session.model, finish: null, error: null, createdAt: now, completedAt: null,
    tools: tools.map((t) => t.name), parts: [],
  }
  events.emit('message.created', { id: message.id, turnId, role: 'assistant', agent: message.agent, provider: message.provider, model: message.model })
  const builder = new MessageBuilder({ ids: deps.ids, clock: deps.clock, events }, message)
  void deps.notify(deps.hooks.request.sent, request, turn)

  let extend = (_ms: number) => undefined as void
  const onRetry = (info: { attempt: number; delayMs: number; reason: string }) => {
    extend(info.delayMs)
    events.emit('session.status', { sessionId: session.id, status: 'retrying', attempt: info.attempt, message: `${info.reason}; retrying in ${Math.round(info.delayMs / 100) / 10} s` }, { global: true })
  }
  const startedAt = Date.now()
  const raw = deps.clientFor(session.provider).stream(request, { signal, session, turnId, onRetry })
  const timed = withStreamTimeouts(raw, { firstByteMs: deps.config.timeouts.providerFirstByteMs, idleMs: deps.config.timeouts.providerIdleMs })
  extend = timed.extend
  const outcome = await consumeStream(deps, builder, timed.stream, { sessionId: session.id, turnId, messageId: message.id, activity: 'conversation', provider: session.provider, model: session.model, step: turn.step, startedAt, providerId: session.provider }, signal)
  builder.closeOpenPart()
  const hasCalls = message.parts.some((p) => p.kind === 'tool')
  message.finish = signal.aborted ? 'aborted' : outcome.error ? 'error' : hasCalls ? 'tool_calls' : outcome.finish
  message.error = outcome.error ? { code: outcome.error.code, message: outcome.error.message } : null
  message.completedAt = deps.clock.now().toISOString()
  await deps.persist(message, turnId)
  const tokens = outcome.usage ? { input: outcome.usage.input, output: outcome.usage.output, reasoning: outcome.usage.reasoning, cacheRead: outcome.usage.cacheRead, cacheWrite: outcome.usage.cacheWrite } : undefined
  events.emit('message.completed', { id: message.id, finish: message.finish, ...(tokens ? { tokens } : {}) })
  return { message, outcome }
}

/** A request.admit refusal that asks the user first (a budget): true when they let the call go ahead. */
async function allowedByUser(deps: TurnDeps, input: TurnInput, turn: TurnContext, rejection: Rejection): Promise<boolean> {
  const ask = { sessionId: input.session.id, callId: `model:${input.turnId}:${turn.step}`, tool: 'model_call', kind: 'budget', summary: rejection.message, patterns: [rejection.code], reason: rejection.code }
  const outcome = await deps.tools.asks.ask(ask, input.events, input.signal)
  if (outcome.reply === 'reject') return false
  rejection.onAllowed?.(outcome.reply)
  return true
}

/** The model's context window in tokens: what its provider says, else `limits.contextTokens`. */
export function contextWindow(deps: Pick<TurnDeps, 'registries' | 'config'>, session: Pick<SessionInfo, 'provider' | 'model'>): number {
  const model = deps.registries.providers.get(session.provider)?.listModels().find((m) => m.id === session.model)
  return model?.contextWindow ?? deps.config.limits.contextTokens
}

interface StreamOutcome {
  finish: FinishReason
  usage?: UsageReport
  error?: TurnError
}

async function consumeStream(
  deps: TurnDeps,
  builder: MessageBuilder,
  stream: AsyncIterable<StreamChunk>,
  base: Omit<StreamContext, 'partId'> & { providerId: string },
  signal: AbortSignal,
): Promise<StreamOutcome> {
  const hooks = deps.hooks.stream
  const outcome: StreamOutcome = { finish: 'stop' }
  try {
    for await (const chunk of stream) {
      if (signal.aborted) break
      switch (chunk.type) {
        case 'text':
        case 'thought': {
          const partId = builder.delta(chunk.type === 'text' ? 'text' : 'reasoning', chunk.delta)
          if (chunk.type === 'thought' && chunk.signature) builder.signReasoning(chunk.signature, base.providerId)
          const hook = chunk.type === 'text' ? hooks.textDelta : hooks.thoughtDelta
          if (isTapped(hook)) deps.notify(hook, chunk.delta, { ...base, partId })
          break
        }
        case 'tool-call': {
          const partId = builder.toolCall(chunk)
          if (isTapped(hooks.toolCall)) deps.notify(hooks.toolCall, { callId: chunk.callId, tool: chunk.tool, input: chunk.input }, { ...base, partId })
          break
        }
        case 'usage':
          outcome.usage = chunk.usage
          if (isTapped(hooks.usage)) deps.notify(hooks.usage, chunk.usage, base)
          break
        case 'finish':
          outcome.finish = chunk.reason
          break
        case 'error':
          outcome.error = { code: chunk.code, message: chunk.message, retryable: chunk.retryable }
          break
      }
      if (outcome.error) break
    }
  } catch (error) {
    if (!signal.aborted) {
      deps.logger.error('provider stream failed', { sessionId: base.sessionId, error: (error as Error).message })
      const code = (error as { code?: unknown }).code
      outcome.error =
        typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code)
          ? { code, message: (error as Error).message, retryable: (error as { retryable?: boolean }).retryable }
          : { code: KernelErrorCode.PROVIDER_STREAM_FAILED, message: `The model call failed: ${(error as Error).message}` }
    }
  }
  if (signal.aborted) outcome.finish = 'aborted'
  if (isTapped(hooks.finished)) deps.notify(hooks.finished, { reason: outcome.error ? 'error' : outcome.finish }, base)
  return outcome
}
