import type { KernelConfig } from '../config.js'
import { KernelErrorCode, PlatformError } from '../errors.js'
import type { Ids } from '../ports/types.js'
import type { MessageInfo, PatchSessionBody, SessionInfo } from '../protocol/index.js'
import type { KernelRegistries } from '../registries/index.js'
import { compactionOf } from './history.js'
import { resolveSessionDraft } from './resolve-session.js'
import { isToolPattern } from './tool-set.js'

/** Reshaping a conversation: what a PATCH changes, what a regenerate replaces, what an edit forks. */

/**
 * Copies of messages for another session: new message and part ids, same turns, times and content.
 * A compaction's lists of replaced and kept messages are rewritten to the new ids.
 */
export function copyMessages(messages: MessageInfo[], sessionId: string, ids: Ids): MessageInfo[] {
  const renamed = new Map(messages.map((m) => [m.id, ids.next('msg')]))
  const rename = (list: unknown) => (Array.isArray(list) ? list.map((id) => renamed.get(String(id))).filter((id) => id !== undefined) : list)
  return messages.map((message) => {
    const id = renamed.get(message.id)!
    const copy: MessageInfo = structuredClone({ ...message, id, sessionId })
    copy.parts = copy.parts.map((part) => {
      const data = part.kind === 'compaction' ? { ...part.data, replaced: rename(part.data.replaced), kept: rename(part.data.kept) } : part.data
      return { ...part, id: ids.next('prt'), messageId: id, data }
    })
    return copy
  })
}

/**
 * A session forked before the user message `messageId` (edit and re-send): same agent, model, tools,
 * workspace and rules, with copies of the messages before it. `messages`: turn order, no superseded ones.
 */
export function forkBefore(source: SessionInfo, messages: MessageInfo[], messageId: string, ids: Ids, now: string): { fork: SessionInfo; copies: MessageInfo[] } {
  const index = messages.findIndex((m) => m.id === messageId)
  if (index === -1) {
    throw new PlatformError(KernelErrorCode.MESSAGE_NOT_FOUND, `Session "${source.id}" has no message "${messageId}" (superseded answers cannot be edited either).`, { httpStatus: 404, details: { sessionId: source.id, messageId } })
  }
  if (messages[index].role !== 'user') {
    throw new PlatformError(KernelErrorCode.MESSAGE_NOT_EDITABLE, `Message "${messageId}" is the assistant's; only user messages can be edited and sent again.`, { httpStatus: 400, details: { messageId } })
  }
  const fork: SessionInfo = {
    ...source, id: ids.next('ses'), parentId: null, title: source.title ? `${source.title} (edited)`.slice(0, 200) : null,
    forkedFrom: { sessionId: source.id, messageId }, status: 'idle', seq: 0, createdAt: now, updatedAt: now,
  }
  return { fork, copies: copyMessages(messages.slice(0, index), fork.id, ids) }
}

/** The last user message and the answers it has (what a regenerate supersedes). `messages`: turn order, no superseded ones. */
export function lastAnswers(messages: MessageInfo[]): { last: MessageInfo; answers: MessageInfo[] } {
  const last = messages.findLast((m) => m.role === 'user')
  if (!last) throw new PlatformError(KernelErrorCode.NOTHING_TO_REGENERATE, 'The session has no message to answer again; send one first.', { httpStatus: 409 })
  return { last, answers: messages.filter((m) => m.turnId === last.turnId && m.role === 'assistant' && !compactionOf(m)) }
}

/** What a PATCH changes: agent/provider/model resolved like a new session (an agent brings its tools), tools checked. */
export function sessionChanges(session: SessionInfo, body: PatchSessionBody, config: KernelConfig, registries: KernelRegistries): Partial<SessionInfo> {
  const switching = body.agent !== undefined || body.provider !== undefined || body.model !== undefined
  const changes: Partial<SessionInfo> = {}
  if (switching) {
    const draft = resolveSessionDraft(
      {
        agent: body.agent ?? session.agent,
        provider: body.provider ?? (body.agent || body.model?.includes('/') ? undefined : session.provider),
        model: body.model ?? (body.agent || body.provider ? undefined : session.model),
        workspace: session.workspace,
      },
      config,
      registries,
      { keepWorkspace: true },
    )
    Object.assign(changes, { agent: draft.agent, provider: draft.provider, model: draft.model })
    if (body.agent !== undefined && body.tools === undefined) changes.tools = draft.tools
  }
  if (body.tools !== undefined) {
    const unknown = body.tools.filter((name) => !isToolPattern(name) && !registries.tools.has(name))
    if (unknown.length > 0) {
      throw new PlatformError('SESSION_TOOL_UNKNOWN', `Unknown tool${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. Registered tools: ${registries.tools.ids().join(', ') || 'none'}.`, { httpStatus: 400, details: { unknown } })
    }
    changes.tools = [...new Set(body.tools)]
  }
  if (body.title !== undefined) changes.title = body.title
  if (body.permissions !== undefined) changes.permissions = body.permissions
  return changes
}
