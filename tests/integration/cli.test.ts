import t from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { once } from 'node:events'
import { waitFor as poll } from '../../kernel/testing/wait.js'

const ROOT = resolve(import.meta.dirname, '../..')
const KERNEL_INDEX = join(ROOT, 'kernel', 'index.ts')
const work = mkdtempSync(join(tmpdir(), 'platform-cli-'))
t.teardown(() => rmSync(work, { recursive: true, force: true }))

/** Children run embedded (no DATABASE_URL / REDIS_URL) so the data-dir lock applies. */
const childEnv = () => {
  const env = { ...process.env }
  delete env.DATABASE_URL
  delete env.REDIS_URL
  delete env.PORT
  delete env.HOST
  return env
}

function writeConfig(name: string, body: string): string {
  const file = join(work, name)
  writeFileSync(file, `import { defineConfig, env } from ${JSON.stringify(KERNEL_INDEX)}\nexport default defineConfig(${body})\n`)
  return file
}

function cli(args: string[]): ChildProcess & { out: () => string; err: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'kernel', 'cli.ts'), ...args], { cwd: ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout?.on('data', (d) => (out += d))
  child.stderr?.on('data', (d) => (err += d))
  return Object.assign(child, { out: () => out, err: () => err })
}

async function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode
  const [code] = (await once(child, 'exit')) as [number | null]
  return code
}

const waitFor = (check: () => boolean, ms: number, what: string) => poll(check, what, ms, 50)

t.test('a bad config exits non-zero with one paragraph and no stack trace', async (t) => {
  const file = writeConfig('bad.config.ts', `{ kernel: { dataDir: 'x', limits: { maxSteps: -1 } }, plugins: { 'provider-scriptd': true, 'server-http': { prot: 1 } } }`)
  const child = cli(['serve', '--config', file])
  t.equal(await exitOf(child), 1)
  const err = child.err().trim()
  t.equal(err.split('\n').length, 1, 'one paragraph')
  t.match(err, /^Cannot start: the config file .*bad\.config\.ts has 3 problems\./)
  t.match(err, /did you mean "provider-scripted"/)
  t.match(err, /plugins\.server-http: unknown key "prot"/)
  t.match(err, /kernel\.limits\.maxSteps/)
  t.notMatch(err, /\n\s+at /, 'no stack trace')
})

t.test('a missing config file is named, with the fix', async (t) => {
  const child = cli(['serve', '--config', join(work, 'nope.ts')])
  t.equal(await exitOf(child), 1)
  t.match(child.err(), /the config file .*nope\.ts does not exist\. Fix: pass --config/)
})

const servingConfig = (dataDir: string) =>
  writeConfig(
    `serve-${Math.random().toString(36).slice(2)}.config.ts`,
    `{ kernel: { dataDir: ${JSON.stringify(dataDir)}, logLevel: 'warn', agents: { demo: { provider: 'scripted', model: 'demo' } } },
       plugins: { 'persistence-postgres': { url: env('DATABASE_URL', { optional: true }) }, 'server-http': { port: 0 }, 'provider-scripted': true } }`,
  )

t.test('serve answers /health, refuses a second server on the same data dir, and exits cleanly on SIGTERM', async (t) => {
  const dataDir = join(work, 'data')
  const file = servingConfig(dataDir)
  const first = cli(['serve', '--config', file])
  t.teardown(() => first.kill('SIGKILL'))
  await waitFor(() => /ready in \d+ ms at (http:\/\/\S+)/.test(first.out()) || first.exitCode !== null, 60_000, 'the first server')
  const url = /ready in \d+ ms at (http:\/\/\S+)/.exec(first.out())?.[1]
  t.ok(url, `first server is ready (${first.err().slice(0, 300)})`)
  const health = await fetch(`${url}/health`)
  t.equal(health.status, 200)
  t.match(await health.json(), { healthy: true, version: /^\d+\.\d+\.\d+/ })

  const second = cli(['serve', '--config', file])
  t.equal(await exitOf(second), 1, 'the second server on the same data dir exits')
  t.match(second.err(), /data directory .* is in use by another server \(pid \d+\)/)
  t.notMatch(second.err(), /\n\s+at /)

  first.kill('SIGTERM')
  t.equal(await exitOf(first), 0, 'SIGTERM ends the server with exit 0')
  await t.rejects(fetch(`${url}/health`), 'the port is released')

  const third = cli(['serve', '--config', file])
  t.teardown(() => third.kill('SIGKILL'))
  await waitFor(() => /ready in/.test(third.out()) || third.exitCode !== null, 60_000, 'the restarted server')
  t.match(third.out(), /ready in/, 'after a clean stop the data dir can be opened again')
  third.kill('SIGINT')
  t.equal(await exitOf(third), 0, 'SIGINT ends it too')
})

t.test('describe prints the plugin tree with start times and hooks, then exits', async (t) => {
  const file = servingConfig(join(work, 'data-describe'))
  const child = cli(['describe', '--config', file])
  t.equal(await exitOf(child), 0, child.err())
  const out = child.out()
  t.match(out, /^agent-platform \d+\.\d+\.\d+ \(ready, boot \d+ ms\)/)
  t.match(out, /persistence-postgres.* \[started\] start [\d.]+ ms/)
  t.match(out, /server-http.* \[started\]/)
  t.match(out, /taps: .*lifecycle\.start/)
  t.match(out, /sessionStore: persistence-postgres/)
})
