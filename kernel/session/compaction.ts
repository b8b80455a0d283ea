import { KernelErrorCode, PlatformError } from '../errors.js'
import type { MessageInfo } from '../protocol/index.js'
import type { CompactionContext, CompactionPlan } from '../turn.js'
import type { EventWriter } from './event-writer.js'
import { compactionOf, contextMessages, estimateTokens, toChatMessages } from './history.js'
import { sideCall } from './side-call.js'
import { contextWindow, type TurnDeps } from './turn-runner.js'

const SYSTEM = [
  'You compact a conversation between a user and an AI assistant that uses tools, so the assistant can go on',
  'working without the full transcript. Write a summary that keeps: the user\'s goals and instructions, decisions',
  'made, files and commands involved with what was found or changed, open questions, and what was about to happen',
  'next. Keep exact names, paths, identifiers and numbers. Write plain prose or short lists, no preamble.',
].join(' ')

const REQUEST = 'Summarize the conversation above as instructed. Reply with the summary only.'

/**
 * Default plan: keep the previous turn and, of the current one, the user's message and the last two
 * answers; summarize everything older (an earlier summary included).
 */
export function defaultPlan(messages: MessageInfo[], turnId: string): CompactionPlan {
  const current = messages.filter((m) => m.turnId === turnId)
  const earlier = messages.filter((m) => m.turnId !== turnId && !compactionOf(m))
  const previousTurn = earlier.at(-1)?.turnId
  const keepIds = new Set([
    ...earlier.filter((m) => m.turnId === previousTurn).map((m) => m.id),
    ...current.filter((m) => m.role === 'user').map((m) => m.id),
    ...current.filter((m) => m.role !== 'user' && !compactionOf(m)).slice(-2).map((m) => m.id),
  ])
  return { keep: messages.filter((m) => keepIds.has(m.id)), summarize: messages.filter((m) => !keepIds.has(m.id)) }
}

export interface CompactInput {
  session: CompactionContext['session']
  turnId: string
  signal: AbortSignal
  events: EventWriter
  reason: CompactionContext['reason']
  estimatedTokens: number
  contextTokens: number
}

/**
 * Compact the conversation: plan (session.compact shapes it), ask the model for a summary (a
 * `compaction` activity), store it as a message of the current turn whose `compaction` part lists the
 * messages it replaces. Returns false when there was nothing to summarize. Throws when the model call
 * fails (nothing is stored then).
 */
export async function compact(deps: TurnDeps, input: CompactInput): Promise<boolean> {
  const { session, turnId, events } = input
  const visible = contextMessages(await deps.history(), turnId)
  const plan = await deps.hooks.session.compact.promise(defaultPlan(visible, turnId), {
    session, turnId, reason: input.reason, estimatedTokens: input.estimatedTokens, contextTokens: input.contextTokens,
  })
  if (plan.summarize.length === 0) return false
  events.emit('session.status', { sessionId: session.id, status: 'busy', message: `Compacting ${plan.summarize.length} messages into a summary` }, { global: true })
  const transcript = toChatMessages(plan.summarize)
  transcript.push({ role: 'user', content: [{ type: 'text', text: REQUEST }] })
  const { text, usage } = await sideCall(deps, { session, turnId, signal: input.signal, activity: 'compaction', system: SYSTEM, messages: transcript })

  const now = deps.clock.now().toISOString()
  const id = deps.ids.next('msg')
  const data = {
    summary: text,
    replaced: plan.summarize.map((m) => m.id),
    kept: plan.keep.map((m) => m.id),
    reason: input.reason,
    estimatedTokens: input.estimatedTokens,
    contextTokens: input.contextTokens,
    ...(usage ? { tokens: { input: usage.input, output: usage.output } } : {}),
  }
  const message: MessageInfo = {
    id, sessionId: session.id, turnId, role: 'assistant', agent: session.agent, provider: session.provider, model: session.model,
    finish: 'stop', error: null, createdAt: now, completedAt: now,
    parts: [{ id: deps.ids.next('prt'), messageId: id, ordinal: 0, kind: 'compaction', data, createdAt: now, updatedAt: now }],
  }
  // Durable at once: a manual compaction answers its caller before the turn's closing status write.
  await deps.persist(message, turnId, { durable: true })
  events.emit('message.created', { id, turnId, role: 'assistant', agent: message.agent, provider: message.provider, model: message.model })
  events.emit('part.started', { messageId: id, part: { id: message.parts[0].id, kind: 'compaction', ordinal: 0, ...data } })
  events.emit('part.completed', { messageId: id, part: message.parts[0] })
  events.emit('message.completed', { id, finish: 'stop', ...(usage ? { tokens: { input: usage.input, output: usage.output } } : {}) })
  return true
}

/**
 * Compact on request (`POST /compact`): the same compaction as near the window, reason `manual`.
 * Throws SESSION_NOTHING_TO_COMPACT when the conversation is only the turns that are always kept.
 */
export async function compactOnRequest(deps: TurnDeps, input: Pick<CompactInput, 'session' | 'turnId' | 'signal' | 'events'>): Promise<{ turnId: string; compacted: boolean; messageId?: string }> {
  const before = (await deps.history()).length
  const estimatedTokens = estimateTokens('', toChatMessages(await deps.history(), input.turnId), [])
  const compacted = await compact(deps, { ...input, reason: 'manual', estimatedTokens, contextTokens: contextWindow(deps, input.session) })
  if (!compacted) throw new PlatformError(KernelErrorCode.NOTHING_TO_COMPACT, 'Nothing to compact: the conversation is only the last turns, which are always kept.', { httpStatus: 409 })
  const added = (await deps.history()).slice(before).find((m) => compactionOf(m))
  return { turnId: input.turnId, compacted: true, ...(added ? { messageId: added.id } : {}) }
}
