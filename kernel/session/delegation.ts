import type { KernelConfig } from '../config.js'
import type { SessionStore } from '../ports/types.js'
import type { KernelRegistries } from '../registries/index.js'
import type { DelegateRequest, SessionDraft } from '../turn.js'
import { resolveSessionDraft } from './resolve-session.js'
import { expandToolSet } from './tool-set.js'
import type { MessageInfo, SessionInfo } from '../protocol/index.js'
import type { NewEvent } from '../ports/types.js'
import type { EventWriter } from './event-writer.js'

/** How many parents a session has (a root session is 0). Stops at 64 in case of a broken chain. */
export async function depthOf(session: SessionInfo, get: (id: string) => Promise<SessionInfo | null>): Promise<number> {
  let depth = 0
  let parentId = session.parentId
  while (parentId && depth < 64) {
    depth += 1
    parentId = (await get(parentId))?.parentId ?? null
  }
  return depth
}

/** A child turn's answer: the text of its last assistant message that has any. */
export function finalAnswer(messages: MessageInfo[]): string {
  for (const message of [...messages].reverse()) {
    if (message.role !== 'assistant' || message.supersededAt) continue
    const text = message.parts.filter((p) => p.kind === 'text').map((p) => String(p.data.text ?? '')).join('').trim()
    if (text) return text
  }
  return ''
}

/**
 * A child session's event writer that also relays each event to the parent's stream as
 * `subagent.event` (tagged with the child session id and depth). Grandchildren's events pass up
 * unchanged, so the root sees the whole tree, each event tagged with the session that made it.
 */
export function relayEvents(events: EventWriter, parent: EventWriter, tag: { parentSessionId: string; callId: string; agent: string; depth: number }): EventWriter {
  let sessionId = ''
  return {
    emit(type, data, options) {
      if (type === 'session.created') sessionId = (data as SessionInfo).id
      events.emit(type, data, options)
      // A grandchild's relayed event goes up as it is: it already names its own session and depth.
      if (type === 'subagent.event') parent.emit('subagent.event', data as NewEvent<'subagent.event'>['data'])
      else parent.emit('subagent.event', { sessionId, ...tag, event: { type, data } })
    },
    flush: () => Promise.all([events.flush(), parent.flush()]).then(([last]) => last),
  }
}

/** A session and every session it delegated to, children before their parents (the order to delete them in). */
export async function descendantsFirst(store: SessionStore, id: string): Promise<string[]> {
  const tree: string[] = []
  const walk = async (sessionId: string): Promise<void> => {
    for (const child of await store.listSessions({ parentId: sessionId, limit: 10_000 })) await walk(child.id)
    tree.push(sessionId)
  }
  await walk(id)
  return tree
}

/** The child session of a delegation: the agent's own draft in the parent's workspace, tools narrowed, the parent's owner. */
export function childDraft(parent: SessionInfo, spec: DelegateRequest, config: KernelConfig, registries: KernelRegistries): SessionDraft {
  const resolved = resolveSessionDraft({ agent: spec.agent, provider: spec.provider, model: spec.model, workspace: parent.workspace }, config, registries, { keepWorkspace: true })
  const tools = spec.tools ? expandToolSet(resolved.tools, registries).map((t) => t.name).filter((t) => spec.tools!.includes(t)) : resolved.tools
  return { ...resolved, tools, title: spec.title?.slice(0, 200) ?? null, parentId: parent.id, ownerId: parent.ownerId }
}
