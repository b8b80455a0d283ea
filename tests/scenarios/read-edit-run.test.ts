/**
 * Scenario: with the scripted provider, the model reads a file, edits it, runs a command; the edit
 * and the command are asked for and the test answers over HTTP. The hook recorder and the database
 * hold the expected sequence. Runs on the default plugin set (real Postgres/Redis when configured).
 */
import t from 'tap'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestKernel } from '../../kernel/testing/index.js'
import { testBackends } from '../../kernel/testing/backends.js'
import { envelopeOf, openSse } from '../../plugins/server/http/test-support.js'

const workspace = mkdtempSync(join(tmpdir(), 'platform-scenario-'))
t.teardown(() => rmSync(workspace, { recursive: true, force: true }))
writeFileSync(join(workspace, 'greeting.txt'), 'hello world\n')
const backends = testBackends()
t.teardown(() => backends.cleanup())

const SCRIPT = [
  [{ type: 'thought', text: 'First I read the file.' }, { type: 'tool-call', tool: 'read_file', input: { path: 'greeting.txt' }, callId: 'read-1' }],
  [{ type: 'tool-call', tool: 'edit_file', input: { path: 'greeting.txt', old_string: 'world', new_string: 'platform' }, callId: 'edit-1' }],
  [{ type: 'tool-call', tool: 'run_command', input: { command: 'cat greeting.txt && echo done' }, callId: 'run-1' }],
  [{ type: 'text', text: 'The file now greets the platform.' }],
]

t.test('read, edit (asked), run (asked) over HTTP; recorder and database agree', async (t) => {
  const tk = await createTestKernel({
    plugins: {
      ...backends.plugins,
      'provider-scripted': { chunkDelayMs: 0, replies: SCRIPT },
      'tool-fs': true,
      'tool-shell': true,
      'permission-policy': true,
      'server-http': { port: 0 },
    },
  })
  t.teardown(tk.close)
  const base = tk.kernel.addresses[0]
  const post = (path: string, body: unknown) => fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const session = (await (await post('/api/sessions', { workspace })).json()) as { id: string; tools: string[] }
  t.same(session.tools, ['*'], 'every tool, the file and shell tools included')
  const sse = await openSse(`${base}/api/sessions/${session.id}/events`)
  t.teardown(() => sse.close())
  tk.recorder.clear()
  t.equal((await post(`/api/sessions/${session.id}/messages`, { text: 'Greet the platform instead of the world.' })).status, 202)

  const answered: string[] = []
  const frames = await sse.readUntil((frame) => {
    const envelope = envelopeOf<{ type: string; data: { askId: string; tool: string; status?: string } }>(frame)
    if (envelope.type === 'permission.asked') {
      answered.push(envelope.data.tool)
      void post(`/api/sessions/${session.id}/permissions/${envelope.data.askId}`, { reply: 'once' })
    }
    return envelope.type === 'turn.completed'
  }, 30_000)
  t.same(answered, ['edit_file', 'run_command'], 'the read ran without asking; the edit and the command were asked')
  t.equal(readFileSync(join(workspace, 'greeting.txt'), 'utf8'), 'hello platform\n')
  const completed = frames.filter((f) => f.event === 'tool.updated').map((f) => envelopeOf<{ data: { callId: string; state: string } }>(f).data).filter((d) => d.state === 'completed')
  t.same(completed.map((d) => d.callId), ['read-1', 'edit-1', 'run-1'])
  t.match(envelopeOf<{ data: { finish: string } }>(frames.at(-1)!).data, { finish: 'stop' })

  // The hooks of the tool pipeline, per call, in order.
  const toolHooks = tk.recorder.sequence({ collapse: false, filter: (h) => /^tool\.(permission|beforeExecute|afterExecute|executed)$/.test(h) })
  t.same(toolHooks, Array(3).fill(['tool.permission', 'tool.beforeExecute', 'tool.afterExecute', 'tool.executed']).flat())

  // The database holds the same story.
  const db = tk.kernel.resolve<{ query<T>(sql: string, params?: unknown[]): Promise<T[]> }>('persistencePostgres')
  const rows = await db.query<{ role: string; finish: string; kind: string; call: string | null; state: string | null; decision: string | null }>(
    `select m.role, m.finish, p.kind, p.data->>'callId' as call, p.data->>'state' as state, p.data->>'decision' as decision
       from message m join message_part p on p.message_id = m.id where m.session_id = $1 order by m.created_at, p.ordinal`,
    [session.id],
  )
  t.same(rows.filter((r) => r.kind === 'tool').map((r) => [r.call, r.state, r.decision]), [
    ['read-1', 'completed', 'default'],
    ['edit-1', 'completed', 'user'],
    ['run-1', 'completed', 'user'],
  ])
  t.same([...new Set(rows.map((r) => `${r.role}:${r.finish}`))], ['user:stop', 'assistant:tool_calls', 'assistant:stop'])
  const run = await (await fetch(`${base}/api/sessions/${session.id}/tool-calls/run-1`)).json() as { output: string }
  t.match(run.output, /hello platform\ndone/)
})
