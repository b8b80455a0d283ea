import { fileURLToPath } from 'node:url'
import t from 'tap'
import { Secret, type PlatformError } from '../../../kernel/index.js'
import { createTestKernel, type TestKernel } from '../../../kernel/testing/index.js'
import { MIGRATIONS } from './migrations/index.js'
import { MIGRATIONS_TABLE } from './orm.js'
import { createPluginMigrations } from './plugin-migrations.js'
import { backendOptions, dropSchema, EXTERNAL_URL, uniqueSchema } from './test-support.js'

/** Dependent plugins add their tables with persistencePostgres.addMigration during register. */
const FIXTURE = fileURLToPath(new URL('./fixtures/migration-plugin.ts', import.meta.url))
const schema = uniqueSchema()
const failSchema = uniqueSchema()
const OWN = MIGRATIONS.map((m) => m.name)
const FIXTURE_NAMES = ['fixture-migrations-0001-widget', 'fixture-migrations-0002-widget-color']

const readyLine = (lines: string[]) => JSON.parse(lines.find((l) => l.includes('"msg":"database ready"')) ?? '{}') as { migrationsApplied?: string[] }
const boot = (database: Record<string, unknown>, lines: string[], fixture: Record<string, unknown> | false = {}): Promise<TestKernel> =>
  createTestKernel({ plugins: { 'persistence-postgres': database, ...(fixture ? { 'fixture-migrations': { resolve: FIXTURE, ...fixture } } : {}) }, logLines: lines })

const firstLines: string[] = []
const first = await boot(backendOptions(schema), firstLines)
const db = first.kernel.resolve('persistencePostgres')
/** The same database again: the real server, or the running embedded one through its socket. */
const sameDatabase = (s: string) => ({ url: new Secret(EXTERNAL_URL || db.connectionString(), 'DATABASE_URL'), schema: s })
t.teardown(async () => {
  await first.close()
  await dropSchema(schema)
  await dropSchema(failSchema)
})

t.test('plugin migrations run after the own ones, in the order added, tracked in the same table', async (t) => {
  t.same(readyLine(firstLines).migrationsApplied, [...OWN, ...FIXTURE_NAMES])
  const columns = await db.query<{ column_name: string }>(
    "select column_name from information_schema.columns where table_schema = $1 and table_name = 'fixture_widget' order by ordinal_position",
    [schema],
  )
  t.same(columns.map((c) => c.column_name), ['id', 'size', 'color'], 'the table was created in the configured schema, then altered')
  t.same(await db.query(`select name from ${MIGRATIONS_TABLE} order by id`), [...OWN, ...FIXTURE_NAMES].map((name) => ({ name })))
})

t.test('query() runs named prepared statements on a PostgreSQL server and on the PGlite this process runs, unnamed ones on a PGlite reached by URL', async (t) => {
  // The statement lists the prepared statements of the session it runs in, itself included when it is named.
  const sql = `select name from pg_prepared_statements where name like 'platform_%' order by name`
  const rows = (await db.query(sql)) as Array<{ name: string }>
  t.ok(rows.length > 0, `${db.mode}: ${rows.length} named statements`)
  if (db.mode === 'embedded') {
    const second = await boot(sameDatabase(uniqueSchema()), [], false)
    t.teardown(() => second.close())
    const other = second.kernel.resolve('persistencePostgres')
    t.equal(other.mode, 'external', 'the embedded database reached through its URL')
    // PGlite has one session for every connection: the second instance sees the owner's names, and adds none.
    const seen = await other.query(sql)
    for (let i = 0; i < 3; i++) t.same(await other.query(`select $1::int as n, ${i} as round`, [i]), [{ n: i, round: i }])
    t.same(await other.query(sql), seen, 'its own statements stay unnamed')
    t.same(await db.query('select $1::int * 2 as n', [21]), [{ n: 42 }], 'the owner goes on naming its statements beside it')
  }
  t.same(await db.query('select $1::int + 1 as n', [41]), [{ n: 42 }], 'parameters bound either way')
})

t.test('adding a migration after start is refused', async (t) => {
  t.throws(() => db.addMigration({ name: 'late-plugin-0001-table', up: () => [] }), { code: 'PERSISTENCE_POSTGRES_MIGRATION_INVALID', message: /after persistence-postgres started.*during your plugin's register/ })
})

t.test('a restart applies nothing; a disabled plugin\'s recorded migrations do not block boot', async (t) => {
  if (EXTERNAL_URL) await first.close()
  const lines: string[] = []
  const again = await boot(sameDatabase(schema), lines)
  t.same(readyLine(lines).migrationsApplied, [])
  await again.close()
  const without: string[] = []
  const alone = await boot(sameDatabase(schema), without, false)
  t.teardown(() => alone.close())
  t.same(readyLine(without).migrationsApplied, [], 'boots without the fixture plugin although its migrations are recorded')
})

t.test('a failing plugin migration fails boot and rolls back the whole batch', async (t) => {
  const error = (await boot(sameDatabase(failSchema), [], { fail: true }).then(
    () => t.fail('boot should fail'),
    (e: unknown) => e,
  )) as PlatformError
  t.equal(error.code, 'PERSISTENCE_POSTGRES_MIGRATION_FAILED')
  const lines: string[] = []
  const fresh = await boot(sameDatabase(failSchema), lines)
  t.teardown(() => fresh.close())
  t.same(readyLine(lines).migrationsApplied, [...OWN, ...FIXTURE_NAMES], 'nothing of the failed batch had been kept')
})

t.test('names are checked: pattern, reserved prefix, duplicates, up()', async (t) => {
  const registry = createPluginMigrations()
  const up = () => []
  const bad = { code: 'PERSISTENCE_POSTGRES_MIGRATION_INVALID' }
  t.throws(() => registry.add({ name: 'widgets', up }), bad, 'no number')
  t.throws(() => registry.add({ name: 'Auth-Vault-0001-x', up }), bad, 'uppercase')
  t.throws(() => registry.add({ name: 'persistence-postgres-0002-mine', up }), { ...bad, message: /reserved/ })
  t.throws(() => registry.add({ name: 'auth-vault-0001-credential' } as never), { ...bad, message: /no up\(schema\)/ })
  registry.add({ name: 'auth-vault-0001-credential', up })
  t.throws(() => registry.add({ name: 'auth-vault-0001-credential', up }), { ...bad, message: /added twice/ })
  registry.add({ name: 'auth-vault-0002-index', up })
  t.same(registry.objects().map((m) => m.name), ['auth-vault-0001-credential', 'auth-vault-0002-index'])
})
