import type { MikroORM } from '@mikro-orm/core'
import type { PostgreSqlDriver } from '@mikro-orm/postgresql'
import type { protocol, SessionListFilter, SessionStore } from '../../../kernel/index.js'
import { SessionEntity, type MessagePartRow, type MessageRow, type SessionRow } from './entities.js'
import type { RawPool } from './raw-query.js'
import { sessionPatchToRow, toJsonb, toMessageInfo, toPartInfo, toSessionInfo } from './records.js'

type Orm = MikroORM<PostgreSqlDriver>

/** Insert or replace a session; root_id is the parent's root (or the session itself for a root). */
const upsertSessionSql = (s: string) => `
insert into "${s}"."session" ("id", "parent_id", "root_id", "title", "agent_id", "provider_id", "model_id", "tool_set", "workspace", "permission_rules", "forked_from", "owner_id", "status", "last_seq", "created_at", "updated_at")
values (?, ?, coalesce((select p."root_id" from "${s}"."session" p where p."id" = ?), ?, ?), ?, ?, ?, ?, ?::jsonb, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?::timestamptz, ?::timestamptz)
on conflict ("id") do update set "parent_id" = excluded."parent_id", "root_id" = excluded."root_id", "title" = excluded."title",
  "agent_id" = excluded."agent_id", "provider_id" = excluded."provider_id", "model_id" = excluded."model_id", "tool_set" = excluded."tool_set",
  "workspace" = excluded."workspace", "permission_rules" = excluded."permission_rules", "forked_from" = excluded."forked_from", "owner_id" = excluded."owner_id", "status" = excluded."status", "last_seq" = excluded."last_seq",
  "created_at" = excluded."created_at", "updated_at" = excluded."updated_at"`

/**
 * One statement (one round trip, atomic): upsert the message, delete its parts that are not in the
 * new list, upsert the listed parts. The parts travel as one jsonb array.
 */
const saveMessageSql = (s: string, lazy: string) => `
with saved as (
  insert into "${s}"."message" ("id", "session_id", "turn_id", "role", "agent_id", "provider_id", "model_id", "finish", "error", "created_at", "completed_at", "tool_set", "superseded_at")
  select ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::timestamptz, ?::timestamptz, ?::jsonb, ?::timestamptz where true${lazy}
  on conflict ("id") do update set "session_id" = excluded."session_id", "turn_id" = excluded."turn_id", "role" = excluded."role",
    "agent_id" = excluded."agent_id", "provider_id" = excluded."provider_id", "model_id" = excluded."model_id", "finish" = excluded."finish",
    "error" = excluded."error", "created_at" = excluded."created_at", "completed_at" = excluded."completed_at",
    "tool_set" = excluded."tool_set", "superseded_at" = excluded."superseded_at"
  returning "id", "session_id"
), parts as (
  select * from jsonb_to_recordset(?::jsonb) as p("id" text, "ordinal" int, "kind" text, "data" jsonb, "created_at" timestamptz, "updated_at" timestamptz)
), removed as (
  delete from "${s}"."message_part" where "message_id" = ? and "id" not in (select "id" from parts)
)
insert into "${s}"."message_part" ("id", "message_id", "session_id", "ordinal", "kind", "data", "created_at", "updated_at")
select p."id", saved."id", saved."session_id", p."ordinal", p."kind", p."data", p."created_at", p."updated_at" from parts p cross join saved
on conflict ("id") do update set "message_id" = excluded."message_id", "session_id" = excluded."session_id", "ordinal" = excluded."ordinal",
  "kind" = excluded."kind", "data" = excluded."data", "created_at" = excluded."created_at", "updated_at" = excluded."updated_at"`

/** `?` placeholders -> `$1..$n` (the statements here have no other question marks). */
const numbered = (sql: string) => {
  let n = 0
  return sql.replace(/\?/g, () => `$${++n}`)
}

/** The session row under the entity's property names, for toSessionInfo. */
const SESSION_FIELDS = `"id", "parent_id" as "parentId", "root_id" as "rootId", "title", "agent_id" as "agentId", "provider_id" as "providerId",
  "model_id" as "modelId", "tool_set" as "toolSet", "workspace", "permission_rules" as "permissionRules", "forked_from" as "forkedFrom", "owner_id" as "ownerId", "status", "last_seq" as "lastSeq",
  "created_at" as "createdAt", "updated_at" as "updatedAt"`
const selectSessionSql = (s: string) => `select ${SESSION_FIELDS} from "${s}"."session" where "id" = $1`

/** A session's messages and parts, under the entities' property names, in the order the history is read. */
const selectMessagesSql = (s: string) => `select "id", "session_id" as "sessionId", "turn_id" as "turnId", "role", "agent_id" as "agentId", "provider_id" as "providerId",
  "model_id" as "modelId", "finish", "error", "created_at" as "createdAt", "completed_at" as "completedAt", "tool_set" as "toolSet", "superseded_at" as "supersededAt"
  from "${s}"."message" where "session_id" = $1 order by "created_at" asc, "id" asc`
const selectPartsSql = (s: string) => `select "id", "message_id" as "messageId", "session_id" as "sessionId", "ordinal", "kind", "data", "created_at" as "createdAt", "updated_at" as "updatedAt"
  from "${s}"."message_part" where "session_id" = $1 order by "message_id" asc, "ordinal" asc, "id" asc`

const JSON_FIELDS = new Set(['toolSet', 'permissionRules', 'forkedFrom'])

/**
 * A write with `durable: false` commits without waiting for the WAL flush (set_config(..., true) lasts for the
 * statement's own transaction): visible at once, on disk with the next synchronous commit, which flushes the
 * WAL up to itself (the engine ends each turn with one) or within wal_writer_delay.
 */
const ASYNC_COMMIT = ` and set_config('synchronous_commit', 'off', true) = 'off'`

/** Column of each patchable session field. */
const SESSION_COLUMNS: Record<string, string> = {
  parentId: 'parent_id', rootId: 'root_id', title: 'title', agentId: 'agent_id', providerId: 'provider_id', modelId: 'model_id',
  toolSet: 'tool_set', workspace: 'workspace', permissionRules: 'permission_rules', forkedFrom: 'forked_from', ownerId: 'owner_id', status: 'status', lastSeq: 'last_seq', updatedAt: 'updated_at',
}

/**
 * The sessionStore port on PostgreSQL, with the semantics of the kernel's in-memory store.
 * What a turn runs (get/update session, save message, read the history) are single raw statements on
 * the plain pg pool: the ORM's query building and hydration cost about as much again as the round trip
 * itself. The session list, with its filters, goes through a fresh EntityManager fork per call.
 */
export function createPostgresSessionStore(getOrm: () => Orm, getPool: () => RawPool, schema: string): SessionStore {
  const upsertSession = numbered(upsertSessionSql(schema))
  const saveMessage = numbered(saveMessageSql(schema, ''))
  const saveMessageLazily = numbered(saveMessageSql(schema, ASYNC_COMMIT))
  const selectSession = selectSessionSql(schema)
  const selectMessages = selectMessagesSql(schema)
  const selectParts = selectPartsSql(schema)
  const em = () => getOrm().em.fork()
  const run = <T>(sql: string, params: unknown[]) => getPool().query<T>(sql, params)
  const getSession = async (id: string) => {
    const [row] = await run<SessionRow>(selectSession, [id])
    return row ? toSessionInfo(row) : null
  }
  return {
    async createSession(session) {
      const s = session
      await run(upsertSession, [
        s.id, s.parentId, s.parentId, s.parentId, s.id, s.title, s.agent, s.provider, s.model,
        toJsonb(s.tools), s.workspace, toJsonb(s.permissions), s.forkedFrom === null ? null : toJsonb(s.forkedFrom), s.ownerId, s.status, s.seq, s.createdAt, s.updatedAt,
      ])
    },
    getSession,
    async listSessions(filter: SessionListFilter = {}) {
      const limit = filter.limit ?? 100
      if (limit < 1) return []
      const where = {
        ...(filter.parentId === undefined ? {} : { parentId: filter.parentId }),
        ...(filter.ownerId === undefined ? {} : { ownerId: filter.ownerId }),
        ...(filter.status === undefined ? {} : { status: filter.status }),
        ...(filter.agent === undefined ? {} : { agentId: filter.agent }),
      }
      const rows = await em().find(SessionEntity, where, { orderBy: { updatedAt: 'desc', id: 'asc' }, limit })
      return rows.map(toSessionInfo)
    },
    async updateSession(id, patch, options = {}) {
      const row = sessionPatchToRow(patch) as Record<string, unknown>
      if (patch.parentId !== undefined) row.rootId = await rootIdFor(em(), id, patch.parentId)
      const fields = Object.keys(row)
      if (fields.length === 0) return getSession(id)
      const json = (field: string) => JSON_FIELDS.has(field)
      const sets = fields.map((field, i) => `"${SESSION_COLUMNS[field]}" = $${i + 2}${json(field) ? '::jsonb' : ''}`)
      const values = fields.map((field) => (json(field) && row[field] !== null ? toJsonb(row[field]) : row[field]))
      const lazy = options.durable === false ? ASYNC_COMMIT : ''
      const [updated] = await run<SessionRow>(`update "${schema}"."session" set ${sets.join(', ')} where "id" = $1${lazy} returning ${SESSION_FIELDS}`, [id, ...values])
      return updated ? toSessionInfo(updated) : null
    },
    async saveMessage(message, options = {}) {
      const m = message
      const parts = m.parts.map((p) => ({ id: p.id, ordinal: p.ordinal, kind: p.kind, data: p.data, created_at: p.createdAt, updated_at: p.updatedAt }))
      await run(options.durable === false ? saveMessageLazily : saveMessage, [
        m.id, m.sessionId, m.turnId, m.role, m.agent, m.provider, m.model, m.finish,
        m.error === null ? null : toJsonb(m.error), m.createdAt, m.completedAt, m.tools ? toJsonb(m.tools) : null, m.supersededAt ?? null, toJsonb(parts), m.id,
      ])
    },
    async deleteSession(id) {
      // One statement: parts, messages, then the session row.
      const rows = await run<{ id: string }>(
        `with parts as (delete from "${schema}"."message_part" where "session_id" = $1), ` +
          `messages as (delete from "${schema}"."message" where "session_id" = $1) ` +
          `delete from "${schema}"."session" where "id" = $1 returning "id"`,
        [id],
      )
      return rows.length > 0
    },
    async listMessages(sessionId) {
      const [messages, parts] = await Promise.all([run<MessageRow>(selectMessages, [sessionId]), run<MessagePartRow>(selectParts, [sessionId])])
      const byMessage = new Map<string, protocol.PartInfo[]>()
      for (const part of parts) {
        const list = byMessage.get(part.messageId) ?? []
        list.push(toPartInfo(part))
        byMessage.set(part.messageId, list)
      }
      return messages.map((row) => toMessageInfo(row, byMessage.get(row.id) ?? []))
    },
  }
}

async function rootIdFor(em: Orm['em'], id: string, parentId: string | null): Promise<string> {
  if (parentId === null) return id
  const parent = await em.findOne(SessionEntity, { id: parentId }, { fields: ['rootId'] as const })
  return (parent as SessionRow | null)?.rootId ?? parentId
}
