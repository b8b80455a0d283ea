/**
 * Budgets: request.admit answers askUser; the kernel asks (permission.asked, tool model_call, kind
 * budget); once lets one call go ahead, reject stops the turn with the budget's code, always stops
 * the asking for that session (or day).
 */
import t from 'tap'
import type { protocol } from '../../../kernel/index.js'
import { bootMetering, runTurn, usageStep, type Booted } from './test-support.js'

const answer = (text: string) => [{ type: 'text', text }, usageStep(800, 100), { type: 'finish', reason: 'stop' }]

/** Answer each budget ask in turn with the next reply; through the engine or the HTTP route. */
function answerAsks(b: Booted, sessionId: string, replies: Array<'once' | 'always' | 'reject'>, via: 'engine' | 'http') {
  const asked: Array<Record<string, unknown>> = []
  void b.tk.kernel.resolve('eventBus').subscribe(`session:${sessionId}`, (e: protocol.EventEnvelope) => {
    if (e.type !== 'permission.asked') return
    const data = e.data as { askId: string }
    asked.push(data)
    const reply = replies.shift() ?? 'reject'
    if (via === 'engine') void b.tk.kernel.engine.replyPermission(sessionId, data.askId, reply)
    else void b.call('POST', `/api/sessions/${sessionId}/permissions/${data.askId}`, { reply })
  })
  return asked
}

t.test('session budget in tokens: ask, once goes ahead, reject stops, always stops asking for that session', async (t) => {
  const b = await bootMetering(t, { usage: { budgets: { session: { tokens: 1000 } } }, modelReplies: { lead: [answer('one'), answer('two'), answer('three'), answer('four'), answer('five')] } })
  const session = await b.tk.kernel.engine.createSession({})
  const asked = answerAsks(b, session.id, ['once', 'reject', 'always'], 'http')
  const ledger = async () => (await b.query<{ n: string }>(`select count(*)::text as "n" from "${b.schema}"."usage_ledger"`))[0].n

  t.match((await runTurn(b, session.id, 'first')).data, { finish: 'stop' }, 'under the budget: no ask')
  t.equal(asked.length, 0)
  t.match((await runTurn(b, session.id, 'second')).data, { finish: 'stop' }, 'over it (900 used + this prompt): asked, "once" lets it go')
  t.match(asked[0], { tool: 'model_call', kind: 'budget', reason: 'USAGE_METERING_BUDGET_SESSION_EXCEEDED', summary: /would pass this session's budget.*used 900 of 1000 tokens/ })
  t.equal(await ledger(), '2')
  const refused = await runTurn(b, session.id, 'third')
  t.match(refused.data, { finish: 'error', error: { code: 'USAGE_METERING_BUDGET_SESSION_EXCEEDED', message: /used 1800 of 1000 tokens/ } }, 'rejected: the turn ends with the budget error')
  t.equal(await ledger(), '2', 'no call made')
  t.match((await runTurn(b, session.id, 'fourth')).data, { finish: 'stop' }, '"always"')
  t.match((await runTurn(b, session.id, 'fifth')).data, { finish: 'stop' })
  t.equal(asked.length, 3, 'not asked again after "always"')
  t.equal(await ledger(), '4')

  const other = await b.tk.kernel.engine.createSession({})
  const otherAsked = answerAsks(b, other.id, ['once'], 'engine')
  await runTurn(b, other.id, 'a new session')
  await runTurn(b, other.id, 'and again')
  t.equal(otherAsked.length, 1, '"always" was for the first session only')
})

t.test('day budget in USD: a sub-agent\'s call is asked in its own session and counts against the day; reject stops', async (t) => {
  const task = { type: 'tool-call', tool: 'task', input: { agent: 'writer', description: 'write', prompt: 'a haiku' }, callId: 'c-w' }
  const b = await bootMetering(t, {
    // lead: 3 USD in, 15 USD out per million: 800 x 3 + 100 x 15 = 0.0039 USD, the whole day's budget.
    usage: { budgets: { day: { usd: '0.0039' } } },
    modelReplies: { lead: [[task, usageStep(800, 100)], answer('done'), answer('more')], wri: [answer('River otters float')] },
  })
  const session = await b.tk.kernel.engine.createSession({})
  const asked = answerAsks(b, session.id, ['once', 'reject'], 'engine')
  let childAsked: Array<Record<string, unknown>> = []
  void b.tk.kernel.resolve('eventBus').subscribe('global', (e: protocol.EventEnvelope) => {
    const created = e.data as { id: string; parentId: string | null }
    if (e.type === 'session.created' && created.parentId === session.id) childAsked = answerAsks(b, created.id, ['once'], 'engine')
  })
  t.match((await runTurn(b, session.id, 'delegate, then answer')).data, { finish: 'stop' })
  const today = new Date().toISOString().slice(0, 10)
  t.equal(childAsked.length, 1, 'the writer\'s call was asked in the child session')
  t.match(childAsked[0], { reason: 'USAGE_METERING_BUDGET_DAY_EXCEEDED', summary: new RegExp(`budget of ${today} \\(UTC\\).*spent \\$0\\.003900 of \\$0\\.003900`) })
  t.match(asked, [{ reason: 'USAGE_METERING_BUDGET_DAY_EXCEEDED', summary: /spent \$0\.004500 of \$0\.003900/ }], 'the lead\'s answer after it: the writer\'s 0.0006 counted')
  t.match((await runTurn(b, session.id, 'more')).data, { finish: 'error', error: { code: 'USAGE_METERING_BUDGET_DAY_EXCEEDED' } }, 'rejected')
  const usage = await b.call('GET', `/api/sessions/${session.id}/usage`)
  t.match(usage.json.total, { calls: 3, costPico: '8400000000' }, 'lead twice, writer once')
})
