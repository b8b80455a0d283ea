import type { protocol } from '../../../kernel/index.js'
import type { MessagePartRow, MessageRow, SessionRow } from './entities.js'

type SessionInfo = protocol.SessionInfo
type MessageInfo = protocol.MessageInfo
type PartInfo = protocol.PartInfo

/** Row <-> protocol record mapping: `seq` is last_seq, `tools` is tool_set, timestamps are ISO strings. */

const iso = (value: Date | string): string => new Date(value).toISOString()

export function toSessionInfo(row: SessionRow): SessionInfo {
  return {
    id: row.id,
    parentId: row.parentId,
    title: row.title,
    agent: row.agentId,
    provider: row.providerId,
    model: row.modelId,
    tools: row.toolSet,
    workspace: row.workspace,
    permissions: row.permissionRules ?? [],
    forkedFrom: row.forkedFrom ?? null,
    ownerId: row.ownerId ?? null,
    status: row.status as SessionInfo['status'],
    seq: Number(row.lastSeq),
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  }
}

type SessionPatch = Partial<Omit<SessionInfo, 'id' | 'createdAt'>>

/** Column values for a session patch (keys left undefined are not touched). */
export function sessionPatchToRow(patch: SessionPatch): Partial<SessionRow> {
  const row: Partial<SessionRow> = {}
  const set = <K extends keyof SessionRow>(key: K, value: SessionRow[K] | undefined) => {
    if (value !== undefined) row[key] = value
  }
  set('parentId', patch.parentId)
  set('title', patch.title)
  set('agentId', patch.agent)
  set('providerId', patch.provider)
  set('modelId', patch.model)
  set('toolSet', patch.tools)
  set('workspace', patch.workspace)
  set('permissionRules', patch.permissions)
  set('forkedFrom', patch.forkedFrom)
  set('ownerId', patch.ownerId)
  set('status', patch.status)
  set('lastSeq', patch.seq)
  set('updatedAt', patch.updatedAt === undefined ? undefined : new Date(patch.updatedAt))
  return row
}

export function toPartInfo(row: MessagePartRow): PartInfo {
  return {
    id: row.id,
    messageId: row.messageId,
    ordinal: row.ordinal,
    kind: row.kind as PartInfo['kind'],
    data: row.data,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  }
}

export function toMessageInfo(row: MessageRow, parts: PartInfo[]): MessageInfo {
  return {
    id: row.id,
    sessionId: row.sessionId,
    turnId: row.turnId,
    role: row.role as MessageInfo['role'],
    agent: row.agentId,
    provider: row.providerId,
    model: row.modelId,
    finish: row.finish as MessageInfo['finish'],
    error: row.error,
    createdAt: iso(row.createdAt),
    completedAt: row.completedAt === null ? null : iso(row.completedAt),
    ...(row.toolSet ? { tools: row.toolSet } : {}),
    ...(row.supersededAt ? { supersededAt: iso(row.supersededAt) } : {}),
    parts,
  }
}

/**
 * JSON text for a jsonb parameter. jsonb cannot hold the NUL character (\u0000), which tool output
 * may contain: it is replaced by U+FFFD instead of failing the whole save. An escaped backslash
 * followed by "u0000" (a literal, not a NUL) is left alone.
 */
export function toJsonb(value: unknown): string {
  return JSON.stringify(value).replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd')
}
