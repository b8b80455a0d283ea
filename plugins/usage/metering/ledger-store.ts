import type { PersistencePostgresService } from '../../persistence/postgres/services.js'
import { toAmounts, type AmountsRow, type UsageAmounts } from './amounts.js'
import type { AttributionPart, UsageActivity } from './attribution.js'
import { q } from './migration.js'
import type { MeteredUsage } from './normalise.js'

export type Db = Pick<PersistencePostgresService, 'query' | 'schema'>

/** One ledger row as written. */
export interface LedgerRow {
  id: string
  sessionId: string
  rootSessionId: string
  parentSessionId: string | null
  /** Ancestors from the parent up to the root. */
  ancestorIds: string[]
  parentTurnId: string | null
  messageId: string | null
  turnId: string
  step: number
  provider: string
  model: string
  activity: UsageActivity
  usage: MeteredUsage
  costPico: bigint | null
  priceSource: string | null
  latencyMs: number | null
  createdAt: string
}

export type TotalScope = 'message' | 'session' | 'tree' | 'day'
export interface TotalKey {
  scope: TotalScope
  key: string
}

/** The totals a call adds to: its message, its session, the trees of it and every ancestor, its UTC day. */
export function totalKeysFor(row: LedgerRow): TotalKey[] {
  const keys: TotalKey[] = [{ scope: 'session', key: row.sessionId }, { scope: 'day', key: row.createdAt.slice(0, 10) }]
  if (row.messageId) keys.push({ scope: 'message', key: row.messageId })
  for (const id of [row.sessionId, ...row.ancestorIds]) keys.push({ scope: 'tree', key: id })
  // One order for every writer: concurrent calls of one tree lock the shared rows in the same order.
  return keys.sort((a, b) => (a.scope === b.scope ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : a.scope < b.scope ? -1 : 1))
}

/**
 * Insert the ledger row, its attribution parts and the totals in ONE statement (data-modifying CTEs
 * run as one atomic statement: all or nothing), and return the totals as they are after it.
 */
export async function insertCall(db: Db, row: LedgerRow, parts: AttributionPart[]): Promise<Array<TotalKey & { amounts: UsageAmounts }>> {
  const s = db.schema
  const u = row.usage
  const sql =
    `with "ledger" as (insert into ${q(s, 'usage_ledger')} ("id", "session_id", "root_session_id", "parent_session_id", "ancestor_ids", "parent_turn_id", "message_id", ` +
    `"turn_id", "step", "provider", "model", "activity", "input", "output", "reasoning", "cache_read", "cache_write", "cost_pico", "price_source", "latency_ms", "raw", "created_at") ` +
    `values ($1, $2, $3, $4, $5::text[], $6, $7, $8, $9, $10, $11, $12, $13::bigint, $14::bigint, $15::bigint, $16::bigint, $17::bigint, $18::numeric, $19, $20, $21::jsonb, $22::timestamptz) returning "id"), ` +
    `"parts" as (insert into ${q(s, 'usage_attribution')} ("ledger_id", "activity", "tool", "tokens", "cost_pico") ` +
    `select $1, p."activity", coalesce(p."tool", ''), p."tokens", p."cost_pico"::numeric from jsonb_to_recordset($23::jsonb) as p("activity" text, "tool" text, "tokens" bigint, "cost_pico" text) returning 1), ` +
    `"totals" as (insert into ${q(s, 'usage_total')} as t ("scope", "key", "calls", "unpriced_calls", "input", "output", "reasoning", "cache_read", "cache_write", "cost_pico", "updated_at") ` +
    `select k."scope", k."key", 1, case when $18::numeric is null then 1 else 0 end, $13::bigint, $14::bigint, $15::bigint, $16::bigint, $17::bigint, coalesce($18::numeric, 0), $22::timestamptz ` +
    `from jsonb_to_recordset($24::jsonb) as k("scope" text, "key" text) ` +
    `on conflict ("scope", "key") do update set "calls" = t."calls" + excluded."calls", "unpriced_calls" = t."unpriced_calls" + excluded."unpriced_calls", ` +
    `"input" = t."input" + excluded."input", "output" = t."output" + excluded."output", "reasoning" = t."reasoning" + excluded."reasoning", ` +
    `"cache_read" = t."cache_read" + excluded."cache_read", "cache_write" = t."cache_write" + excluded."cache_write", "cost_pico" = t."cost_pico" + excluded."cost_pico", ` +
    `"updated_at" = excluded."updated_at" ` +
    `returning t."scope", t."key", t."calls", t."unpriced_calls", t."input", t."output", t."reasoning", t."cache_read", t."cache_write", t."cost_pico"::text as "cost_pico") ` +
    `select * from "totals"`
  const params = [
    row.id, row.sessionId, row.rootSessionId, row.parentSessionId, row.ancestorIds, row.parentTurnId, row.messageId, row.turnId, row.step, row.provider, row.model, row.activity,
    u.input, u.output, u.reasoning, u.cacheRead, u.cacheWrite, row.costPico === null ? null : row.costPico.toString(), row.priceSource, row.latencyMs,
    JSON.stringify(u.raw ?? null).replaceAll('\\u0000', '\\ufffd'), row.createdAt,
    JSON.stringify(parts.map((p) => ({ activity: p.activity, tool: p.tool, tokens: p.tokens, cost_pico: p.costPico === null ? null : p.costPico.toString() }))),
    JSON.stringify(totalKeysFor(row)),
  ]
  const totals = await db.query<AmountsRow & TotalKey>(sql, params)
  return totals.map((t) => ({ scope: t.scope, key: t.key, amounts: toAmounts(t) }))
}

/** Totals rows by scope and keys. */
export async function readTotals(db: Db, scope: TotalScope, keys: string[]): Promise<Map<string, UsageAmounts>> {
  if (keys.length === 0) return new Map()
  const rows = await db.query<AmountsRow & { key: string }>(
    `select "key", "calls", "unpriced_calls", "input", "output", "reasoning", "cache_read", "cache_write", "cost_pico"::text as "cost_pico" from ${q(db.schema, 'usage_total')} where "scope" = $1 and "key" = any($2::text[])`,
    [scope, keys],
  )
  return new Map(rows.map((r) => [r.key, toAmounts(r)]))
}
