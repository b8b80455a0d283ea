import { join, resolve } from 'node:path'
import { inspect } from 'node:util'
import t, { type Test } from 'tap'
import { kernelConfigSchema } from '../../../kernel/config.js'
import { Secret, type PlatformError } from '../../../kernel/index.js'
import { createTestKernel } from '../../../kernel/testing/index.js'
import { configSchema } from './config.js'
import { parseDatabaseUrl } from './connection-url.js'
import { createPersistenceRuntime, embeddedDirFor } from './runtime.js'
import { EXTERNAL_URL } from './test-support.js'

const kernelConfig = kernelConfigSchema.parse({ dataDir: '/srv/platform-data' })
const logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => logger }

t.test('options: defaults, strictness, schema names', async (t) => {
  t.same(configSchema.parse({}), { schema: 'public', poolSize: 10, debug: false })
  t.throws(() => configSchema.parse({ uri: 'x' }), /unrecognized|Unrecognized/)
  t.throws(() => configSchema.parse({ schema: 'Bad-Name; drop' }))
  t.throws(() => configSchema.parse({ url: 'postgres://inline@host/db' }), 'a plain string is refused: secrets come from env()')
  t.throws(() => configSchema.parse({ poolSize: 1 }))
  t.equal(configSchema.parse({ url: new Secret('postgres://h/db', 'DATABASE_URL') }).url?.reveal(), 'postgres://h/db')
})

t.test('embedded directory: default under kernel.dataDir, memory://, explicit (absolute)', async (t) => {
  t.equal(embeddedDirFor(configSchema.parse({}), kernelConfig), join('/srv/platform-data', 'pglite'))
  t.equal(embeddedDirFor(configSchema.parse({ embeddedDir: 'memory://' }), kernelConfig), 'memory://')
  t.equal(embeddedDirFor(configSchema.parse({ embeddedDir: 'db/here' }), kernelConfig), resolve('db/here'))
})

t.test('mode: unset or empty url is embedded, anything else external', async (t) => {
  const mode = (url?: Secret) => createPersistenceRuntime({ options: configSchema.parse(url ? { url } : {}), kernelConfig, logger }).service.mode
  t.equal(mode(), 'embedded')
  t.equal(mode(new Secret('', 'DATABASE_URL')), 'embedded')
  t.equal(mode(new Secret('postgres://db.example/app', 'DATABASE_URL')), 'external')
})

t.test('before start, the service and the store refuse with PERSISTENCE_POSTGRES_NOT_STARTED', async (t) => {
  const runtime = createPersistenceRuntime({ options: configSchema.parse({}), kernelConfig, logger })
  t.throws(() => runtime.service.connectionString(), { code: 'PERSISTENCE_POSTGRES_NOT_STARTED' })
  await t.rejects(runtime.sessionStore.getSession('x'), { code: 'PERSISTENCE_POSTGRES_NOT_STARTED' })
  await t.rejects(runtime.service.query('select 1'), { code: 'PERSISTENCE_POSTGRES_NOT_STARTED' })
  await runtime.stop()
})

t.test('URL parsing: default port, printable form without the password', async (t) => {
  const parsed = parseDatabaseUrl('postgresql://app:s3cr%40t@db.internal/platform?sslmode=require')
  t.equal(parsed.safe, 'postgres://app@db.internal:5432/platform')
  t.equal(parsed.password, 's3cr@t')
  t.match(parsed.url, /^postgresql:\/\/app:s3cr%40t@db\.internal:5432\/platform\?sslmode=require$/)
})

/** Boot with a url and return the boot error; assert the password appears nowhere in it. */
async function bootError(t: Test, url: string, password: string): Promise<PlatformError> {
  const lines: string[] = []
  const error = (await createTestKernel({ plugins: { 'persistence-postgres': { url: new Secret(url, 'DATABASE_URL') } }, logLines: lines }).then(
    () => t.fail('boot should fail'),
    (e: unknown) => e,
  )) as PlatformError
  for (const text of [error.message, JSON.stringify(error), inspect(error, { depth: 5 }), String(error.stack), lines.join('\n')]) {
    t.notOk(text.includes(password), 'the password appears nowhere')
  }
  return error
}
t.test('unusable url values give PERSISTENCE_POSTGRES_URL_INVALID without echoing the value', async (t) => {
  const wrongScheme = await bootError(t, 'mysql://root:hunter2pw@db/app', 'hunter2pw')
  t.equal(wrongScheme.code, 'PERSISTENCE_POSTGRES_URL_INVALID')
  t.match(wrongScheme.message, /scheme is "mysql".*postgres:\/\/user:password@host:5432\/database/)
  const notUrl = await bootError(t, 'host=db password=hunter2pw', 'hunter2pw')
  t.equal(notUrl.code, 'PERSISTENCE_POSTGRES_URL_INVALID')
  t.match(notUrl.message, /not a URL/)
})

t.test('an unreachable server gives PERSISTENCE_POSTGRES_CONNECT_FAILED naming host, not password', async (t) => {
  const error = await bootError(t, 'postgres://bob:hunter2pw@127.0.0.1:1/app', 'hunter2pw')
  t.equal(error.code, 'PERSISTENCE_POSTGRES_CONNECT_FAILED')
  t.match(error.message, /could not connect to postgres:\/\/bob@127\.0\.0\.1:1\/app: .*ECONNREFUSED.*start PostgreSQL or correct host and port/)
  t.equal(error.details?.errorCode, 'ECONNREFUSED')
})

if (EXTERNAL_URL) {
  t.test('a missing database on the real server is named in the error', async (t) => {
    const target = new URL(EXTERNAL_URL)
    target.password = 'hunter2pw'
    target.pathname = '/no_such_database_persistence_test'
    const error = await bootError(t, target.toString(), 'hunter2pw')
    t.equal(error.code, 'PERSISTENCE_POSTGRES_CONNECT_FAILED')
    t.match(error.message, /does not exist.*create it \(createdb\)/)
  })
}
