import type { protocol } from '../../../kernel/index.js'
import { LEDGER_AMOUNTS, toAmounts, toShare, type AmountsRow } from './amounts.js'
import { readTotals, type Db } from './ledger-store.js'
import { q } from './migration.js'

type ShareRow = { key: string; tokens: string; cost_pico: string | null; priced: string }
const SHARE = `coalesce(sum(a."tokens"), 0) as "tokens", sum(a."cost_pico")::text as "cost_pico", count(a."cost_pico") as "priced"`

/** Session info the report shows for children (from the session store). */
export type SessionLookup = (id: string) => Promise<{ agent: string; title: string | null } | null>

/**
 * GET /api/sessions/:id/usage. `own` and `total` come from the totals table; the breakdowns from the
 * ledger: by activity (own calls by their attribution parts, every call of a descendant as `subagent`),
 * by model (the whole tree), by tool (own calls: the tool_use shares by tool, so they sum to
 * byActivity.tool_use), children (each direct child's tree), messages (own).
 */
export async function sessionUsage(db: Db, sessionId: string, rootSessionId: string, lookup: SessionLookup): Promise<protocol.SessionUsageResponse> {
  const L = q(db.schema, 'usage_ledger')
  const A = q(db.schema, 'usage_attribution')
  const inTree = `(l."session_id" = $1 or $1 = any(l."ancestor_ids"))`
  const [own, tree, activities, subagents, models, tools, children, messageIds] = await Promise.all([
    readTotals(db, 'session', [sessionId]),
    readTotals(db, 'tree', [sessionId]),
    db.query<ShareRow>(`select a."activity" as "key", ${SHARE} from ${A} a join ${L} l on l."id" = a."ledger_id" where l."session_id" = $1 group by a."activity" order by a."activity"`, [sessionId]),
    db.query<ShareRow>(`select 'subagent' as "key", coalesce(sum(l."input" + l."output" + l."cache_read" + l."cache_write"), 0) as "tokens", sum(l."cost_pico")::text as "cost_pico", count(l."cost_pico") as "priced" from ${L} l where $1 = any(l."ancestor_ids") having count(*) > 0`, [sessionId]),
    db.query<AmountsRow & { provider: string; model: string }>(`select l."provider", l."model", ${LEDGER_AMOUNTS} from ${L} l where ${inTree} group by l."provider", l."model" order by l."provider", l."model"`, [sessionId]),
    db.query<ShareRow>(`select a."tool" as "key", ${SHARE} from ${A} a join ${L} l on l."id" = a."ledger_id" where l."session_id" = $1 and a."activity" = 'tool_use' group by a."tool" order by a."tool"`, [sessionId]),
    db.query<{ child: string; first: string }>(
      `select case when array_position(l."ancestor_ids", $1) = 1 then l."session_id" else l."ancestor_ids"[array_position(l."ancestor_ids", $1) - 1] end as "child", min(l."created_at")::text as "first" ` +
        `from ${L} l where $1 = any(l."ancestor_ids") group by 1 order by 2, 1`,
      [sessionId],
    ),
    db.query<{ message_id: string }>(`select l."message_id", min(l."created_at") as "first" from ${L} l where l."session_id" = $1 and l."message_id" is not null group by l."message_id" order by 2, 1`, [sessionId]),
  ])
  const childTotals = await readTotals(db, 'tree', children.map((c) => c.child))
  const messageTotals = await readTotals(db, 'message', messageIds.map((m) => m.message_id))
  const byActivity: Record<string, protocol.UsageShare> = {}
  for (const row of [...activities, ...subagents]) byActivity[row.key] = toShare(row)
  return {
    sessionId,
    rootSessionId,
    own: own.get(sessionId) ?? toAmounts(undefined),
    total: tree.get(sessionId) ?? toAmounts(undefined),
    byActivity,
    byModel: models.map((m) => ({ provider: m.provider, model: m.model, ...toAmounts(m) })),
    byTool: Object.fromEntries(tools.map((t) => [t.key, toShare(t)])),
    children: await Promise.all(
      children.map(async (c) => {
        const info = await lookup(c.child)
        return { sessionId: c.child, agent: info?.agent ?? null, title: info?.title ?? null, total: childTotals.get(c.child) ?? toAmounts(undefined) }
      }),
    ),
    messages: messageIds.map((m) => ({ messageId: m.message_id, ...(messageTotals.get(m.message_id) ?? toAmounts(undefined)) })),
  }
}

const LEDGER_KEYS: Record<'day' | 'provider' | 'model' | 'session', string> = {
  day: `to_char(l."created_at" at time zone 'UTC', 'YYYY-MM-DD')`,
  provider: `l."provider"`,
  model: `l."provider" || '/' || l."model"`,
  session: `l."root_session_id"`,
}

/**
 * GET /api/usage: calls with from <= created_at < to, grouped. day, provider, model (`provider/model`)
 * and session (the root session: a conversation with its sub-agents) group ledger rows; activity and
 * tool group attribution parts (a descendant session's call counts as `subagent`; tool covers calls of
 * every session).
 */
export async function usageReport(db: Db, range: { from: Date; to: Date; groupBy: protocol.UsageGroupBy }): Promise<protocol.UsageReportResponse> {
  const L = q(db.schema, 'usage_ledger')
  const A = q(db.schema, 'usage_attribution')
  const params = [range.from.toISOString(), range.to.toISOString()]
  const where = `l."created_at" >= $1::timestamptz and l."created_at" < $2::timestamptz`
  const [totalRow] = await db.query<AmountsRow>(`select ${LEDGER_AMOUNTS} from ${L} l where ${where}`, params)
  let rows: protocol.UsageReportResponse['rows']
  if (range.groupBy === 'activity' || range.groupBy === 'tool') {
    const key = range.groupBy === 'activity' ? `case when l."activity" = 'subagent' then 'subagent' else a."activity" end` : `a."tool"`
    const filter = range.groupBy === 'tool' ? ` and a."activity" = 'tool_use'` : ''
    const shares = await db.query<ShareRow>(`select ${key} as "key", ${SHARE} from ${A} a join ${L} l on l."id" = a."ledger_id" where ${where}${filter} group by 1 order by 1`, params)
    rows = shares.map((r) => ({ key: r.key, ...toShare(r) }))
  } else {
    const grouped = await db.query<AmountsRow & { key: string }>(`select ${LEDGER_KEYS[range.groupBy]} as "key", ${LEDGER_AMOUNTS} from ${L} l where ${where} group by 1 order by 1`, params)
    rows = grouped.map((r) => ({ key: r.key, ...toAmounts(r) }))
  }
  return { from: params[0], to: params[1], groupBy: range.groupBy, rows, total: toAmounts(totalRow) }
}
