/**
 * Scenario over HTTP with a database that outlives the server: a session switches model and tools
 * between turns, answers a permission question with "always", the server restarts, and afterwards the
 * history shows which model and tools produced each answer, the "always" rule is still in force, and
 * the first turn's file changes can still be reverted.
 */
import t from 'tap'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestKernel, type TestKernel } from '../../kernel/testing/index.js'
import { dropTestSchema } from '../../kernel/testing/backends.js'
import { env, type protocol } from '../../kernel/index.js'
import { envelopeOf, openSse } from '../../plugins/server/http/test-support.js'

const root = mkdtempSync(join(tmpdir(), 'platform-restart-'))
const workspace = join(root, 'ws')
const dataDir = join(root, 'data')
t.teardown(() => rmSync(root, { recursive: true, force: true }))
const schema = `t_restart_${process.pid}`
t.teardown(() => dropTestSchema(schema))

const SCRIPT = [
  [{ type: 'tool-call', tool: 'edit_file', input: { path: 'notes.txt', old_string: 'draft', new_string: 'final' }, callId: 'e1' }],
  [{ type: 'text', text: 'edited' }],
  [{ type: 'tool-call', tool: 'run_command', input: { command: 'echo hi' }, callId: 'r1' }],
  [{ type: 'text', text: 'ran it' }],
]
const AFTER_RESTART = [
  [{ type: 'tool-call', tool: 'run_command', input: { command: 'echo hi' }, callId: 'r2' }],
  [{ type: 'text', text: 'ran it again without asking' }],
]

async function boot(): Promise<TestKernel> {
  const persistence = process.env.DATABASE_URL ? { url: env('DATABASE_URL', { optional: true }), schema } : { embeddedDir: join(dataDir, 'pg'), schema }
  return createTestKernel({
    plugins: {
      'provider-scripted': { chunkDelayMs: 0, models: ['demo', 'big'], replies: SCRIPT },
      'persistence-postgres': persistence,
      'tool-fs': true,
      'tool-shell': true,
      'server-http': { port: 0 },
    } as never,
    kernel: { dataDir } as never,
  })
}

t.test('switches, an "always" answer and undo survive a restart', async (t) => {
  const { mkdirSync } = await import('node:fs')
  mkdirSync(workspace, { recursive: true })
  writeFileSync(join(workspace, 'notes.txt'), 'draft\n')
  let tk = await boot()
  let base = tk.kernel.addresses[0]
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(base + path, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) })
    return { status: response.status, json: response.status === 204 ? null : await response.json() }
  }
  const session = (await call('POST', '/api/sessions', { workspace })).json as protocol.SessionInfo
  const sse = await openSse(`${base}/api/sessions/${session.id}/events`)
  const turn = async (text: string, onAsk?: (askId: string) => Promise<unknown>) => {
    const { turnId } = (await call('POST', `/api/sessions/${session.id}/messages`, { text })).json as { turnId: string }
    for (;;) {
      const frames = await sse.readUntil((f) => f.event === 'permission.asked' || (f.event === 'turn.completed' && envelopeOf<{ data: { turnId: string } }>(f).data.turnId === turnId), 20_000)
      const last = frames.at(-1)!
      if (last.event === 'turn.completed') return turnId
      await onAsk!(envelopeOf<{ data: { askId: string } }>(last).data.askId)
    }
  }
  const first = await turn('fix the notes', (askId) => call('POST', `/api/sessions/${session.id}/permissions/${askId}`, { reply: 'once' }))
  t.equal(readFileSync(join(workspace, 'notes.txt'), 'utf8'), 'final\n')

  t.equal((await call('PATCH', `/api/sessions/${session.id}`, { model: 'big', tools: ['run_command'] })).status, 200)
  await turn('run it', (askId) => call('POST', `/api/sessions/${session.id}/permissions/${askId}`, { reply: 'always' }))
  sse.close()
  await tk.close()

  tk = await boot()
  t.teardown(tk.close)
  base = tk.kernel.addresses[0]
  const after = (await call('GET', `/api/sessions/${session.id}`)).json as protocol.SessionDetail
  const answers = after.messages.filter((m) => m.role === 'assistant')
  t.same(answers.map((m) => [m.model, m.tools?.length === 1 ? m.tools[0] : 'all']), [['demo', 'all'], ['demo', 'all'], ['big', 'run_command'], ['big', 'run_command']], 'which model and tools produced each answer')
  t.ok(answers[0].tools!.includes('edit_file'))
  t.same(after.permissions, [{ tool: 'run_command', match: 'echo hi', action: 'allow' }], 'the "always" answer is a stored session rule')

  tk.kernel.resolve<{ setReplies(r: unknown[]): void }>('providerScripted').setReplies(AFTER_RESTART)
  const sse2 = await openSse(`${base}/api/sessions/${session.id}/events`)
  t.teardown(() => sse2.close())
  const { turnId } = (await call('POST', `/api/sessions/${session.id}/messages`, { text: 'again' })).json as { turnId: string }
  const frames = await sse2.readUntil((f) => f.event === 'turn.completed' && envelopeOf<{ data: { turnId: string } }>(f).data.turnId === turnId, 20_000)
  t.notOk(frames.some((f) => f.event === 'permission.asked'), 'not asked again after the restart')
  const detail = (await call('GET', `/api/sessions/${session.id}`)).json as protocol.SessionDetail
  t.match(detail.messages.flatMap((m) => m.parts).find((p) => p.data.callId === 'r2')?.data, { state: 'completed', decision: 'session' })

  const reverted = await call('POST', `/api/sessions/${session.id}/revert`, { turnId: first })
  t.equal(reverted.status, 200)
  t.same((reverted.json as { restored: string[] }).restored, [join(workspace, 'notes.txt')])
  t.equal(readFileSync(join(workspace, 'notes.txt'), 'utf8'), 'draft\n', 'the snapshot taken before the restart put the file back')
})
