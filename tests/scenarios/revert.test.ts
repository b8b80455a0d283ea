/**
 * Scenario: tools write and edit files over two turns; reverting the first turn over HTTP puts every
 * file back as it was before it (a created file is removed) and lists the shell command as not covered.
 */
import t from 'tap'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestKernel } from '../../kernel/testing/index.js'
import { envelopeOf, openSse } from '../../plugins/server/http/test-support.js'

const workspace = mkdtempSync(join(tmpdir(), 'platform-revert-'))
t.teardown(() => rmSync(workspace, { recursive: true, force: true }))
writeFileSync(join(workspace, 'b.txt'), 'original b\n')

const SCRIPT = [
  [{ type: 'tool-call', tool: 'write_file', input: { path: 'a.txt', content: 'new a\n' }, callId: 't1-write' }, { type: 'tool-call', tool: 'edit_file', input: { path: 'b.txt', old_string: 'original', new_string: 'first edit' }, callId: 't1-edit' }],
  [{ type: 'text', text: 'turn one done' }],
  [{ type: 'tool-call', tool: 'edit_file', input: { path: 'b.txt', old_string: 'first edit', new_string: 'second edit' }, callId: 't2-edit' }, { type: 'tool-call', tool: 'run_command', input: { command: 'echo c > c.txt' }, callId: 't2-run' }],
  [{ type: 'text', text: 'turn two done' }],
]

t.test('POST /revert undoes the tools\' file changes of a turn and the later ones', async (t) => {
  const tk = await createTestKernel({
    plugins: {
      'provider-scripted': { chunkDelayMs: 0, replies: SCRIPT },
      'tool-fs': true,
      'tool-shell': true,
      'permission-policy': { rules: [{ tool: '*', action: 'allow' }] },
      'server-http': { port: 0 },
    },
  })
  t.teardown(tk.close)
  const base = tk.kernel.addresses[0]
  const post = (path: string, body: unknown) => fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const session = (await (await post('/api/sessions', { workspace })).json()) as { id: string }
  const sse = await openSse(`${base}/api/sessions/${session.id}/events`)
  t.teardown(() => sse.close())
  const turn = async (text: string) => {
    const { turnId } = (await (await post(`/api/sessions/${session.id}/messages`, { text })).json()) as { turnId: string }
    await sse.readUntil((f) => f.event === 'turn.completed' && envelopeOf<{ data: { turnId: string } }>(f).data.turnId === turnId, 20_000)
    return turnId
  }
  const first = await turn('one')
  t.equal(readFileSync(join(workspace, 'b.txt'), 'utf8'), 'first edit b\n')
  await turn('two')
  t.equal(readFileSync(join(workspace, 'b.txt'), 'utf8'), 'second edit b\n')
  t.ok(existsSync(join(workspace, 'a.txt')) && existsSync(join(workspace, 'c.txt')))

  const response = await post(`/api/sessions/${session.id}/revert`, { turnId: first })
  t.equal(response.status, 200)
  const result = (await response.json()) as { restored: string[]; removed: string[]; notCovered: Array<{ tool: string; subject: string }> }
  t.same(result.restored.map((p) => p.split('/').pop()), ['b.txt'])
  t.same(result.removed.map((p) => p.split('/').pop()), ['a.txt'])
  t.match(result.notCovered, [{ tool: 'run_command', subject: /echo c > c\.txt/ }])
  t.equal(readFileSync(join(workspace, 'b.txt'), 'utf8'), 'original b\n', 'back to before the first turn')
  t.notOk(existsSync(join(workspace, 'a.txt')), 'the file the first turn created is gone')
  t.ok(existsSync(join(workspace, 'c.txt')), 'the shell command\'s file is not covered')

  const unknown = await post(`/api/sessions/${session.id}/revert`, { turnId: 'trn_nope' })
  t.equal(unknown.status, 404)
  const bad = await post(`/api/sessions/${session.id}/revert`, {})
  t.equal(bad.status, 400)
})
