/**
 * Two server processes on one PostgreSQL and one Redis (DATABASE_URL / REDIS_URL when set, else this
 * machine's services at their default addresses: two instances cannot share an embedded database).
 * A client on instance B follows, live and in order, a turn running on instance A; a permission asked
 * on A is answered through B; the periodic maintenance job runs once per interval across both.
 */
import t from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { dropTestSchema } from '../../kernel/testing/backends.js'
import { waitFor } from '../../kernel/testing/wait.js'
import { envelopeOf, openSse } from '../../plugins/server/http/test-support.js'
import type { protocol } from '../../kernel/index.js'

const ROOT = resolve(import.meta.dirname, '../..')
const DATABASE_URL = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/test'
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379'
const id = randomUUID().replaceAll('-', '').slice(0, 10)
const schema = `t_two_${id}`
const work = mkdtempSync(join(tmpdir(), 'platform-two-'))
const workspace = join(work, 'ws')
mkdirSync(workspace)
t.teardown(async () => {
  await dropTestSchema(schema, DATABASE_URL)
  rmSync(work, { recursive: true, force: true })
})

const SCRIPT = [
  [{ type: 'text', text: 'Writing the file.' }, { type: 'tool-call', tool: 'write_file', input: { path: 'hello.txt', content: 'hi from A\n' }, callId: 'w1' }],
  [{ type: 'text', text: 'Done: hello.txt written.' }],
]

function config(name: string): string {
  const file = join(work, `${name}.config.ts`)
  const body = {
    kernel: { dataDir: join(work, `data-${name}`), workspaceRoots: [work], logLevel: 'debug', agents: { demo: { provider: 'scripted', model: 'demo', tools: '*' } } },
    plugins: {
      'persistence-postgres': { url: '__DB__', schema },
      'realtime-redis': { url: '__REDIS__', keyPrefix: `test:${id}:` },
      'jobs-agenda': { processEveryMs: 200, lockLifetimeMs: 2000, maintenanceEveryMs: 1000 },
      'server-http': { port: 0 },
      'provider-scripted': { chunkDelayMs: 5, replies: SCRIPT },
      'tool-fs': true,
    },
  }
  const source = JSON.stringify(body, null, 2).replace('"__DB__"', "env('TWO_DATABASE_URL')").replace('"__REDIS__"', "env('TWO_REDIS_URL')")
  writeFileSync(file, `import { defineConfig, env } from ${JSON.stringify(join(ROOT, 'kernel', 'index.ts'))}\nexport default defineConfig(${source})\n`)
  return file
}

interface Instance {
  child: ChildProcess
  url: string
  logs: () => string
}

async function start(name: string): Promise<Instance> {
  const env: NodeJS.ProcessEnv = { ...process.env, TWO_DATABASE_URL: DATABASE_URL, TWO_REDIS_URL: REDIS_URL }
  delete env.PORT
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'kernel', 'cli.ts'), 'serve', '--config', config(name)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (err += d))
  t.teardown(async () => {
    if (child.exitCode !== null) return
    const exited = new Promise((done) => child.once('exit', done))
    child.kill('SIGTERM')
    await exited
  })
  await waitFor(() => /ready in \d+ ms at (http:\/\/\S+)/.test(out) || child.exitCode !== null, `instance ${name} to start`, 90_000, 50)
  const url = /ready in \d+ ms at (http:\/\/\S+)/.exec(out)?.[1]
  if (!url) throw new Error(`instance ${name} did not start: ${err.slice(-2000)}`)
  return { child, url: url.replace(/,$/, ''), logs: () => err }
}

const json = (response: Response) => response.json() as Promise<any>
const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

t.test('a turn on A, watched and answered through B; jobs run once across both', async (t) => {
  const startedAt = Date.now()
  const a = await start('a')
  const b = await start('b')

  const session = (await json(await post(`${a.url}/api/sessions`, { workspace }))) as protocol.SessionInfo
  t.same(((await json(await fetch(`${b.url}/api/sessions/${session.id}`))) as protocol.SessionDetail).id, session.id, 'B sees the session A created')
  const watch = await openSse(`${b.url}/api/sessions/${session.id}/events`)
  t.teardown(() => watch.close())

  const sent = (await json(await post(`${a.url}/api/sessions/${session.id}/messages`, { text: 'write hello.txt' }))) as { turnId: string }
  const beforeAsk = await watch.readUntil((f) => f.event === 'permission.asked', 30_000)
  const ask = envelopeOf<{ data: { askId: string; tool: string } }>(beforeAsk.at(-1)!).data
  t.equal(ask.tool, 'write_file')
  const answered = await post(`${b.url}/api/sessions/${session.id}/permissions/${ask.askId}`, { reply: 'once' })
  t.equal(answered.status, 204, 'B accepts the answer for the question asked on A')
  const afterAsk = await watch.readUntil((f) => f.event === 'turn.completed' && envelopeOf<{ data: { turnId: string } }>(f).data.turnId === sent.turnId, 30_000)
  const frames = [...beforeAsk, ...afterAsk].filter((f) => f.event)
  const seqs = frames.map((f) => Number(f.id))
  t.same(seqs, seqs.map((_, i) => seqs[0] + i), `B received ${seqs.length} events of A's turn in order with no gap`)
  t.ok(frames.some((f) => f.event === 'part.delta'), 'deltas arrive live on B')
  t.match(envelopeOf<{ data: unknown }>(frames.find((f) => f.event === 'permission.replied')!).data, { askId: ask.askId, reply: 'once', by: 'user' })
  t.equal(readFileSync(join(workspace, 'hello.txt'), 'utf8'), 'hi from A\n', 'A ran the tool after the answer given on B')
  const again = await post(`${b.url}/api/sessions/${session.id}/permissions/${ask.askId}`, { reply: 'once' })
  t.equal(again.status, 404, 'an answered question is no longer open, on either instance')

  // Both instances poll agenda every 200 ms for a 1000 ms job: run independently it would run ~twice per interval.
  await new Promise((r) => setTimeout(r, 6_000))
  const elapsed = Date.now() - startedAt
  const runs = (logs: string) => logs.split('\n').filter((line) => line.includes('"msg":"maintenance done"')).length
  const total = runs(a.logs()) + runs(b.logs())
  t.ok(total >= 2, `the maintenance job ran (${total} runs: A ${runs(a.logs())}, B ${runs(b.logs())})`)
  t.ok(total <= Math.ceil(elapsed / 1000) + 2, `at most once per interval across both instances (${total} runs in ${elapsed} ms)`)
})
