import t from 'tap'
import { Secret } from '../../../kernel/index.js'
import { createTestKernel, type TestKernel } from '../../../kernel/testing/index.js'
import { MIGRATIONS } from './migrations/index.js'
import { MIGRATIONS_TABLE, openOrm } from './orm.js'
import { backendOptions, dropSchema, EXTERNAL_URL, uniqueSchema } from './test-support.js'

/** One schema for this file, on the real server (DATABASE_URL) or on an in-memory PGlite. */
const schema = uniqueSchema()
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent }

function readyLine(lines: string[]): { migrationsApplied: string[]; mode: string } {
  const line = lines.find((l) => l.includes('"msg":"database ready"'))
  if (!line) throw new Error('no "database ready" log line')
  return JSON.parse(line)
}

const boot = async (options: Record<string, unknown>, lines: string[]): Promise<TestKernel> =>
  createTestKernel({ plugins: { 'persistence-postgres': options }, logLines: lines })

const firstLines: string[] = []
const first = await boot(backendOptions(schema), firstLines)
const db = first.kernel.resolve('persistencePostgres')
t.teardown(async () => {
  await first.close()
  await dropSchema(schema)
})

t.test('a fresh schema is created and migrated; the migrations table lives in it', async (t) => {
  t.same(readyLine(firstLines).migrationsApplied, MIGRATIONS.map((m) => m.name))
  t.ok(MIGRATIONS.every((m) => m.name.startsWith('persistence-postgres-')), 'names carry the plugin id')
  const tables = await db.query<{ table_name: string }>('select table_name from information_schema.tables where table_schema = $1 order by table_name', [schema])
  t.same(tables.map((r) => r.table_name), ['message', 'message_part', MIGRATIONS_TABLE, 'session'])
  const indexes = await db.query<{ indexname: string }>("select indexname from pg_indexes where schemaname = $1 and indexname like '%_index' order by indexname", [schema])
  t.same(indexes.map((r) => r.indexname), ['message_part_message_id_ordinal_index', 'message_part_session_id_index', 'message_session_id_created_at_index', 'session_owner_id_index', 'session_parent_id_index', 'session_updated_at_index'])
  t.same(await db.query(`select name from "${schema}".${MIGRATIONS_TABLE}`), MIGRATIONS.map((m) => ({ name: m.name })))
  t.equal(db.schema, schema)
})

t.test('the entities match the migrated tables (no schema diff)', async (t) => {
  const orm = await openOrm({ url: db.connectionString(), safeUrl: 'test', password: '', schema, poolSize: 2, debug: false, logger: silent })
  t.teardown(() => orm.close())
  const diff = await orm.schema.getUpdateSchemaSQL({ wrap: false })
  t.equal(diff.trim(), '', 'getUpdateSchemaSQL finds nothing to change')
})

t.test('a second boot on the same database applies nothing and sees the data', async (t) => {
  const store = first.kernel.resolve('sessionStore')
  const now = new Date().toISOString()
  await store.createSession({ id: 'kept', parentId: null, title: 't', agent: 'a', provider: 'p', model: 'm', tools: [], workspace: '/', permissions: [], forkedFrom: null, ownerId: null, status: 'idle', seq: 5, createdAt: now, updatedAt: now })
  // External: the real server again. Embedded: the running PGlite through its socket, as another server would.
  if (EXTERNAL_URL) await first.close()
  const url = EXTERNAL_URL || db.connectionString()
  const lines: string[] = []
  const second = await boot({ url: new Secret(url, 'DATABASE_URL'), schema }, lines)
  t.teardown(() => second.close())
  t.same(readyLine(lines).migrationsApplied, [], 'nothing to apply')
  t.equal((await second.kernel.resolve('sessionStore').getSession('kept'))?.seq, 5)
  const rows = await second.kernel.resolve('persistencePostgres').query<{ n: number }>(`select count(*)::int as n from ${MIGRATIONS_TABLE}`)
  t.same(rows, [{ n: MIGRATIONS.length }], 'unqualified names resolve to the configured schema')
  t.notOk([...firstLines, ...lines].some((l) => /"level":"(warn|error)"/.test(l)), 'boot and shutdown log no warning')
})
