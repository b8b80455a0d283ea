/**
 * A lead session reads a note, delegates to two sub-agents in parallel (one of which reads a note
 * too), answers, and gets a title: every call metered, the tree rolled up to the lead, the API and the
 * live events agree with the ledger. Set USAGE_SCENARIO_OUT=<file> to keep the API answer and rows.
 */
import { writeFileSync } from 'node:fs'
import t from 'tap'
import type { protocol } from '../../../kernel/index.js'
import { bootMetering, ledgerRows, runTurn, usageStep } from './test-support.js'

const task = (agent: string, prompt: string, callId: string) => ({ type: 'tool-call', tool: 'task', input: { agent, description: `${agent} work`, prompt }, callId })
const note = (title: string, callId: string) => ({ type: 'tool-call', tool: 'read_note', input: { title }, callId })

const b = await bootMetering(t, {
  kernel: { autoTitle: true },
  modelReplies: {
    lead: [
      [{ type: 'thought', text: 'Check my notes first.' }, note('otters', 'c-note'), usageStep(1200, 40)],
      [task('researcher', 'find what otters eat', 'c-res'), task('writer', 'write a haiku about otters', 'c-wri'), usageStep(2500, 120)],
      [{ type: 'text', text: 'Otters eat fish and shellfish; here is a haiku.' }, usageStep(4100, 200, 50), { type: 'finish', reason: 'stop' }],
    ],
    res: [
      [note('otter diet', 'c-diet'), usageStep(600, 30)],
      [{ type: 'text', text: 'Fish and shellfish.' }, usageStep(1500, 60), { type: 'finish', reason: 'stop' }],
    ],
    wri: [[{ type: 'text', text: 'River otters float' }, usageStep(300, 25), { type: 'finish', reason: 'stop' }]],
  },
})
const engine = b.tk.kernel.engine
const lead = await engine.createSession({})
const leadStream = b.watch(`session:${lead.id}`)
const global = b.watch('global')
const titled = leadStream.until((e) => e.type === 'session.updated' && Boolean((e.data as { changes: { title?: string } }).changes.title))
await runTurn(b, lead.id, 'Tell me what otters eat, and write a haiku.')
await titled
const meter = b.tk.kernel.resolve('usageMetering')
await meter.flush()

const children = await engine.listSessions({ parentId: lead.id })
const res = children.find((c) => c.agent === 'researcher')!
const wri = children.find((c) => c.agent === 'writer')!
const rows = await ledgerRows(b)
const api = await b.call('GET', `/api/sessions/${lead.id}/usage`)

t.test('one ledger row per model call, with its run, parent run and activity', async (t) => {
  t.equal(rows.length, 7, '3 lead calls + 1 title + 2 researcher + 1 writer')
  const leadTurn = rows.find((r) => r.session_id === lead.id && r.activity === 'conversation')!.turn_id
  t.same(rows.filter((r) => r.session_id === lead.id).map((r) => [r.activity, r.step, r.input, r.output]).sort(), [
    ['conversation', 1, 1200, 40], ['conversation', 2, 2500, 120], ['conversation', 3, 4100, 200], ['title', 0, 12, 6],
  ])
  t.equal(rows.find((r) => r.activity === 'title')!.message_id, null, 'a title call has no message')
  for (const child of [res, wri]) {
    const own = rows.filter((r) => r.session_id === child.id)
    t.ok(own.length > 0)
    t.ok(own.every((r) => r.activity === 'subagent' && r.parent_session_id === lead.id && r.root_session_id === lead.id && r.parent_turn_id === leadTurn), `${child.agent}: subagent calls linked to the lead's run`)
  }
  t.same(rows.map((r) => r.cost_pico).sort(), ['126000000', '15300000000', '1800000000', '200000000', '4200000000', '750000000', '9300000000'].sort(), 'lead $3/$15, researcher $1/$5, writer $0.50/$2 per million')
  t.ok(rows.every((r) => r.latency_ms !== null && r.latency_ms >= 0 && r.price_source === 'config'))
})

t.test('attribution: tool results and tool-requesting output are tool_use; parts sum exactly per call', async (t) => {
  const parts = await b.query<{ ledger_id: string; activity: string; tool: string; tokens: string; cost_pico: string }>(`select "ledger_id", "activity", "tool", "tokens"::text, "cost_pico"::text from "${b.schema}"."usage_attribution"`)
  for (const row of rows) {
    const mine = parts.filter((p) => p.ledger_id === row.id)
    t.equal(mine.reduce((s, p) => s + Number(p.tokens), 0), row.input + row.output + row.cache_read + row.cache_write, `${row.activity} step ${row.step}: tokens`)
    t.equal(mine.reduce((s, p) => s + BigInt(p.cost_pico), 0n).toString(), row.cost_pico, `${row.activity} step ${row.step}: cost`)
  }
  const step2 = parts.filter((p) => p.ledger_id === rows.find((r) => r.session_id === lead.id && r.step === 2)!.id)
  t.ok(step2.some((p) => p.activity === 'tool_use' && p.tool === 'read_note'), 'the note read in step 1 is in step 2\'s prompt')
  t.ok(step2.some((p) => p.activity === 'tool_use' && p.tool === 'task'), 'step 2 requested the task tool: its output is tool_use')
  t.ok(step2.some((p) => p.activity === 'system'))
})

t.test('GET /api/sessions/:id/usage: own, total with children, by activity, model, tool and child', async (t) => {
  t.equal(api.status, 200)
  const body = api.json as protocol.SessionUsageResponse
  t.match(body.own, { calls: 4, unpricedCalls: 0, input: 7812, output: 366, reasoning: 50, costPico: '28926000000' })
  t.match(body.total, { calls: 7, input: 10212, output: 481, costPico: '31676000000' })
  t.same(body.byActivity.subagent, { tokens: 2400 + 115, costPico: '2750000000' }, 'every child call as subagent')
  const activitySum = Object.values(body.byActivity).reduce((s, a) => s + BigInt(a.costPico ?? '0'), 0n)
  t.equal(activitySum.toString(), body.total.costPico, 'activities add up to the total')
  t.equal(Object.values(body.byActivity).reduce((s, a) => s + a.tokens, 0), body.total.tokens)
  t.same(Object.keys(body.byTool).sort(), ['read_note', 'task'])
  t.equal(Object.values(body.byTool).reduce((s, a) => s + a.tokens, 0), body.byActivity.tool_use.tokens, 'tools add up to tool_use')
  t.same(body.byModel.map((m) => [m.model, m.calls, m.costPico]), [['lead', 4, '28926000000'], ['res', 2, '2550000000'], ['wri', 1, '200000000']])
  t.same(body.children.map((c) => [c.agent, c.total.calls, c.total.costPico]).sort(), [['researcher', 2, '2550000000'], ['writer', 1, '200000000']])
  t.equal(body.messages.length, 3, 'the lead\'s three answers (the title call has no message)')
  const child = await b.call('GET', `/api/sessions/${res.id}/usage`)
  t.match(child.json, { rootSessionId: lead.id, own: { calls: 2, costPico: '2550000000' }, byTool: { read_note: {} } })
  t.notOk('subagent' in child.json.byActivity, 'a child\'s own calls show their own breakdown')
  t.equal((await b.call('GET', '/api/sessions/ses_nope/usage')).json.error.code, 'USAGE_METERING_SESSION_NOT_FOUND')
})

t.test('GET /api/usage groups the same rows by day, model, activity, session and tool', async (t) => {
  const byModel = await b.call('GET', '/api/usage?groupBy=model')
  t.same(byModel.json.rows.map((r: { key: string; costPico: string }) => [r.key, r.costPico]), [['scripted/lead', '28926000000'], ['scripted/res', '2550000000'], ['scripted/wri', '200000000']])
  t.equal(byModel.json.total.costPico, '31676000000')
  const bySession = await b.call('GET', '/api/usage?groupBy=session')
  t.same(bySession.json.rows.map((r: { key: string; calls: number }) => [r.key, r.calls]), [[lead.id, 7]], 'children roll up into their root session')
  const byActivity = await b.call('GET', '/api/usage?groupBy=activity')
  t.same(byActivity.json.rows, Object.entries(api.json.byActivity).map(([key, share]) => ({ key, ...(share as object) })).sort((a, b) => (a.key < b.key ? -1 : 1)))
  const today = new Date().toISOString().slice(0, 10)
  const byDay = await b.call('GET', `/api/usage?from=${today}&to=${today}&groupBy=day`)
  t.same(byDay.json.rows.map((r: { key: string; calls: number }) => [r.key, r.calls]), [[today, 7]], 'a date-only to includes that day')
  const empty = await b.call('GET', '/api/usage?from=2020-01-01&to=2020-01-02&groupBy=tool')
  t.same(empty.json.rows, [])
  t.match(empty.json.total, { calls: 0, costPico: null })
  t.equal((await b.call('GET', '/api/usage?from=2026-02-02&to=2026-02-01')).json.error.code, 'USAGE_METERING_RANGE_INVALID')
  t.equal((await b.call('GET', '/api/usage?groupBy=week')).status, 400)
})

t.test('usage.updated: every call of the tree on the lead\'s stream and the global one, with running totals', async (t) => {
  const onLead = leadStream.seen.filter((e) => e.type === 'usage.updated').map((e) => e.data as protocol.UsageUpdatedData)
  t.equal(onLead.length, 7)
  t.ok(onLead.every((d) => d.sessionId === lead.id))
  t.same(onLead.at(-1)!.total, api.json.total, 'the last event carries the totals the API shows')
  t.equal(new Set(onLead.map((d) => d.call.ledgerId)).size, 7)
  t.equal(onLead.filter((d) => d.call.sessionId !== lead.id).length, 3, 'the children\'s calls too')
  const onGlobal = global.seen.filter((e) => e.type === 'usage.updated')
  t.equal(onGlobal.length, 7)
})

t.test('totals table: consistent with the ledger', async (t) => {
  const [check] = await b.query<{ ledger: string; tree: string; day: string }>(
    `select (select sum("cost_pico")::text from "${b.schema}"."usage_ledger") as "ledger", ` +
      `(select "cost_pico"::text from "${b.schema}"."usage_total" where "scope" = 'tree' and "key" = $1) as "tree", ` +
      `(select sum("cost_pico")::text from "${b.schema}"."usage_total" where "scope" = 'day') as "day"`,
    [lead.id],
  )
  t.same(check, { ledger: '31676000000', tree: '31676000000', day: '31676000000' })
})

if (process.env.USAGE_SCENARIO_OUT) {
  const sessions = { lead: lead.id, researcher: res.id, writer: wri.id }
  writeFileSync(process.env.USAGE_SCENARIO_OUT, JSON.stringify({ sessions, api: api.json, rows: rows.map(({ raw: _raw, ...r }) => r) }, null, 2))
}
