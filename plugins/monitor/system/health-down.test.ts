import t from 'tap'
import { randomUUID } from 'node:crypto'
import { env } from '../../../kernel/index.js'
import type { protocol } from '../../../kernel/index.js'
import { dropTestSchema } from '../../../kernel/testing/backends.js'
import { createTestKernel } from '../../../kernel/testing/index.js'
import { waitFor } from '../../../kernel/testing/wait.js'
import { hostPort, startTcpProxy } from './test-support.js'

// The real servers: DATABASE_URL / REDIS_URL, else the ones .ci/run starts for both of its runs.
const DATABASE_URL = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/test'
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379'

t.test('a database and a Redis that go down are reported as failing, and as healthy once back', async (t) => {
  const db = await startTcpProxy(hostPort(DATABASE_URL, 5432))
  const redis = await startTcpProxy(hostPort(REDIS_URL, 6379))
  t.teardown(() => Promise.all([db.close(), redis.close()]))
  const viaProxy = (url: string, port: number) => Object.assign(new URL(url), { host: `127.0.0.1:${port}` }).toString()
  process.env.MONITOR_TEST_DATABASE_URL = viaProxy(DATABASE_URL, db.port)
  process.env.MONITOR_TEST_REDIS_URL = viaProxy(REDIS_URL, redis.port)
  const id = randomUUID().replaceAll('-', '').slice(0, 10)
  const schema = `t_${id}`
  t.teardown(() => dropTestSchema(schema, DATABASE_URL))

  const tk = await createTestKernel({
    plugins: {
      'persistence-postgres': { url: env('MONITOR_TEST_DATABASE_URL'), schema },
      'realtime-redis': { url: env('MONITOR_TEST_REDIS_URL'), keyPrefix: `test:${id}:` },
      'server-http': { port: 0 },
      'monitor-system': { healthTimeoutMs: 300 },
    } as never,
  })
  t.teardown(tk.close)
  const base = tk.kernel.addresses[0]
  const system = async () => (await (await fetch(`${base}/api/system`)).json()) as protocol.SystemMetrics
  const metrics = async () => (await (await fetch(`${base}/metrics`)).text()).split('\n')

  t.match(await system(), { database: { kind: 'postgres', ok: true }, redis: { kind: 'redis', ok: true } })
  t.ok((await metrics()).includes('platform_db_up 1'))

  await Promise.all([db.down(), redis.down()])
  let down = await system()
  await waitFor(async () => {
    down = await system()
    return !down.database!.ok && !down.redis.ok
  }, 'both checks to fail', 10_000)
  t.match(down.database, { kind: 'postgres', ok: false, latencyMs: null, error: String })
  t.match(down.redis, { kind: 'redis', ok: false, latencyMs: null, error: String })
  t.notMatch(JSON.stringify(down), /postgres@|password/, 'no connection URL in the reasons')
  const lines = await metrics()
  t.ok(lines.includes('platform_db_up 0'), 'Prometheus sees the database down')
  t.ok(lines.includes('platform_redis_up 0'), 'and Redis down')

  await Promise.all([db.up(), redis.up()])
  await waitFor(async () => {
    const back = await system()
    return back.database!.ok && back.redis.ok
  }, 'both checks to pass again', 15_000)
  t.ok((await metrics()).includes('platform_redis_up 1'))
})
