import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import type { protocol } from '../../../kernel/index.js'
import { createTestKernel, type TestKernel } from '../../../kernel/testing/index.js'
import { MIGRATIONS } from './migrations/index.js'

/** Embedded mode on a real directory, whatever DATABASE_URL says: restart, lock, shutdown. */
const dir = mkdtempSync(join(tmpdir(), 'persistence-postgres-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
const lockFile = join(dir, 'server.lock')
const fixture = fileURLToPath(new URL('./fixtures/boot-embedded.ts', import.meta.url))

const boot = (lines: string[]): Promise<TestKernel> => createTestKernel({ plugins: { 'persistence-postgres': { embeddedDir: dir } }, logLines: lines })
const ready = (lines: string[]) => JSON.parse(lines.find((l) => l.includes('"msg":"database ready"'))!) as { migrationsApplied: string[]; startMs: number; embeddedOpenMs: number }
const now = new Date('2025-03-01T10:00:00.000Z').toISOString()
const session: protocol.SessionInfo = { id: 'ses_1', parentId: null, title: 'kept', agent: 'demo', provider: 'scripted', model: 'demo', tools: ['read_file'], workspace: '/w', permissions: [], forkedFrom: null, ownerId: null, status: 'idle', seq: 12, createdAt: now, updatedAt: now }
const message: protocol.MessageInfo = {
  id: 'msg_1', sessionId: 'ses_1', turnId: 'trn_1', role: 'user', agent: 'demo', provider: 'scripted', model: 'demo', finish: 'stop', error: null, createdAt: now, completedAt: now,
  parts: [{ id: 'prt_1', messageId: 'msg_1', ordinal: 0, kind: 'text', data: { text: 'hello' }, createdAt: now, updatedAt: now }],
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    socket.once('connect', () => socket.destroy() && resolve(true))
    socket.once('error', () => resolve(false))
  })

t.test('first boot on a new directory: initdb, migrations, the lock is held by this process', async (t) => {
  const lines: string[] = []
  const first = await boot(lines)
  const db = first.kernel.resolve('persistencePostgres')
  t.equal(db.mode, 'embedded')
  t.match(db.connectionString(), /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/)
  t.ok(existsSync(join(dir, 'PG_VERSION')), 'PGlite wrote its data directory')
  t.equal(JSON.parse(readFileSync(lockFile, 'utf8')).pid, process.pid)
  t.same(ready(lines).migrationsApplied, MIGRATIONS.map((m) => m.name), 'every migration of the plugin')
  t.comment(`embedded start on a new directory: ${ready(lines).startMs} ms (PGlite open ${ready(lines).embeddedOpenMs} ms)`)

  await first.kernel.resolve('sessionStore').createSession(session)
  await first.kernel.resolve('sessionStore').saveMessage(message)

  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', fixture, dir], { timeout: 30_000 })
  const second = JSON.parse(stdout.trim().split('\n').pop()!) as { code?: string; message: string }
  t.equal(second.code, 'KERNEL_DATA_DIR_LOCKED', 'a second server on the same directory is refused')
  t.match(second.message, new RegExp(`in use by another server \\(pid ${process.pid}\\)`))

  const port = Number(new URL(db.connectionString()).port)
  t.ok(await portOpen(port), 'the socket server listens')
  await first.close()
  t.notOk(await portOpen(port), 'shutdown closed the socket server')
  t.notOk(existsSync(lockFile), 'shutdown released the lock')
  t.notOk(lines.some((l) => /"level":"(warn|error)"/.test(l)), 'no warning from boot to shutdown')
})

t.test('a restart on the same directory keeps the data and applies no migration', async (t) => {
  const lines: string[] = []
  const again = await boot(lines)
  t.teardown(() => again.close())
  t.same(ready(lines).migrationsApplied, [])
  t.comment(`embedded start on an existing directory: ${ready(lines).startMs} ms (PGlite open ${ready(lines).embeddedOpenMs} ms)`)
  const store = again.kernel.resolve('sessionStore')
  t.same(await store.getSession('ses_1'), session)
  t.same(await store.listMessages('ses_1'), [message])
})
