import type { Ids } from '../ports/types.js'
import type { MessageInfo, PermissionRule, PostMessageBody, SessionInfo } from '../protocol/index.js'
import type { KernelRegistries } from '../registries/index.js'
import { toolSetCovers } from './tool-set.js'

/** Pure pieces of the engine's answers: views of stored messages and registries. */

/** One tool call with its full output (the model may have seen a truncated one); undefined when absent. */
export function toolCallDetail(messages: MessageInfo[], callId: string): Record<string, unknown> | undefined {
  for (const message of messages) {
    for (const part of message.parts) {
      if (part.kind !== 'tool' || part.data.callId !== callId) continue
      const { fullOutput, ...rest } = part.data
      return { ...rest, output: fullOutput ?? part.data.output, truncated: fullOutput !== undefined, messageId: message.id, partId: part.id }
    }
  }
  return undefined
}

/** Execute-kind calls (shell commands) from `turnId` on: a revert cannot undo what they changed. */
export function commandsSince(messages: MessageInfo[], turnId: string, registries: Pick<KernelRegistries, 'tools'>): Array<{ turnId: string; tool: string; subject: string }> {
  return messages
    .filter((m) => m.turnId >= turnId)
    .flatMap((m) => m.parts.filter((p) => p.kind === 'tool' && registries.tools.get(String(p.data.tool))?.kind === 'execute').map((p) => ({ turnId: m.turnId, tool: String(p.data.tool), subject: JSON.stringify(p.data.input) })))
}

/** The rule list with `rules` appended where not already there; null when nothing is new. */
export function withRules(current: PermissionRule[], rules: PermissionRule[]): PermissionRule[] | null {
  const key = (r: PermissionRule) => `${r.tool}\u0000${r.match ?? ''}\u0000${r.action}`
  const known = new Set(current.map(key))
  const added = rules.filter((r) => !known.has(key(r)))
  return added.length === 0 ? null : [...current, ...added]
}

/** Every registered tool and whether the session's tool set covers it. */
export function toolToggles(session: SessionInfo, registries: Pick<KernelRegistries, 'tools'>): Array<{ name: string; kind: string; description: string; enabled: boolean }> {
  return registries.tools.list().map((tool) => ({ name: tool.name, kind: tool.kind, description: tool.description, enabled: toolSetCovers(session.tools, tool.name) }))
}

/** Enabled providers with the models each knows (no network). */
export function providerViews(registries: Pick<KernelRegistries, 'providers'>): Array<{ id: string; displayName: string; acceptsUnknownModels: boolean; models: Array<{ id: string; displayName?: string; contextWindow?: number }> }> {
  return registries.providers.list().map((p) => ({
    id: p.id, displayName: p.displayName, acceptsUnknownModels: p.acceptsUnknownModels ?? false,
    models: p.listModels().map((m) => ({ id: m.id, ...(m.displayName ? { displayName: m.displayName } : {}), ...(m.contextWindow ? { contextWindow: m.contextWindow } : {}) })),
  }))
}

/** A user message record: the text part, then one file part per attachment. */
export function userMessage(session: SessionInfo, turnId: string, body: PostMessageBody, ids: Ids, now: string): MessageInfo {
  const id = ids.next('msg')
  const parts: MessageInfo['parts'] = [{ id: ids.next('prt'), messageId: id, ordinal: 0, kind: 'text', data: { text: body.text }, createdAt: now, updatedAt: now }]
  for (const attachment of body.attachments ?? []) {
    parts.push({ id: ids.next('prt'), messageId: id, ordinal: parts.length, kind: 'file', data: { ...attachment }, createdAt: now, updatedAt: now })
  }
  return { id, sessionId: session.id, turnId, role: 'user', agent: session.agent, provider: session.provider, model: session.model, finish: 'stop', error: null, createdAt: now, completedAt: now, parts }
}
