import type { SessionInfo } from '../protocol/index.js'
import type { EventWriter } from './event-writer.js'
import { sideCall } from './side-call.js'
import type { TurnDeps } from './turn-runner.js'

/** How the kernel asks for a session title. */
export const TITLE_PROMPT = [
  'You name conversations. Reply with a title of at most six words for the conversation that starts with the',
  "user's message below: the topic or task, in the user's language, no quotes, no trailing period, nothing else.",
].join(' ')

/** A model's title answer -> a clean one-line title (first line, no quotes or "Title:" label, at most 80 characters); '' if none. */
export function cleanTitle(answer: string): string {
  const line = answer.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? ''
  const unlabeled = line.replace(/^(#+\s*)?(title\s*:\s*)?/i, '').replace(/^["'“”‘’`*]+|["'“”‘’`*]+$/g, '').replace(/[.。]+$/, '').trim()
  return unlabeled.length > 80 ? `${unlabeled.slice(0, 79).trimEnd()}…` : unlabeled
}

/**
 * Name a session from its first user message with a short model call (a `title` activity); stored and
 * announced unless someone named it meanwhile.
 */
export async function nameSession(deps: TurnDeps, input: { session: SessionInfo; turnId: string; events: EventWriter; signal: AbortSignal }): Promise<void> {
  const { session, turnId, events } = input
  const first = (await deps.history()).find((m) => m.role === 'user')
  const text = first?.parts.find((p) => p.kind === 'text')?.data.text
  if (typeof text !== 'string' || text.trim() === '') return
  const answer = await sideCall(deps, { session, turnId, signal: input.signal, activity: 'title', system: TITLE_PROMPT, messages: [{ role: 'user', content: [{ type: 'text', text: text.slice(0, 4000) }] }] })
  const title = cleanTitle(answer.text)
  if (!title) return
  const current = await deps.sessionStore.getSession(session.id)
  if (!current || current.title !== null) return
  await deps.sessionStore.updateSession(session.id, { title, updatedAt: deps.clock.now().toISOString() })
  events.emit('session.updated', { id: session.id, changes: { title } }, { global: true })
}
