import t from 'tap'
import { createServer, type Server, type Socket } from 'node:net'
import pg from 'pg'
import { Redis } from 'ioredis'
import { checkHealth, createProbes } from './health.js'

/** A port nothing listens on: bind one, then close it. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** A server that accepts connections and never answers (a hung back end). */
async function silentServer(t: { teardown(fn: () => void): void }): Promise<number> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    for (const socket of sockets) socket.destroy()
    server.close()
  })
  return (server.address() as { port: number }).port
}

t.test('a round trip that answers is ok with its latency', async (t) => {
  const health = await checkHealth('memory', async () => 'PONG', 1000)
  t.equal(health.kind, 'memory')
  t.equal(health.ok, true)
  t.type(health.latencyMs, 'number')
  t.notOk('error' in health)
})

t.test('Redis on a closed port: not ok, with the reason', async (t) => {
  const port = await closedPort()
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
  redis.on('error', () => undefined) // the failure is read from the health result
  t.teardown(() => redis.disconnect())
  const health = await checkHealth('redis', () => redis.connect().then(() => redis.ping()), 2000)
  t.match(health, { kind: 'redis', ok: false, latencyMs: null, error: /ECONNREFUSED|Connection is closed/ })
})

t.test('PostgreSQL on a closed port: not ok, with the reason', async (t) => {
  const port = await closedPort()
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'nobody', database: 'none' })
  const health = await checkHealth('postgres', () => client.connect().then(() => client.query('select 1')), 2000)
  t.match(health, { kind: 'postgres', ok: false, latencyMs: null, error: /ECONNREFUSED/ })
})

t.test('a back end that accepts and never answers fails by the timeout', async (t) => {
  const port = await silentServer(t)
  // Connects at once; the PING waits in ioredis' offline queue because the server never gets ready.
  const redis = new Redis({ host: '127.0.0.1', port, retryStrategy: () => null })
  redis.on('error', () => undefined)
  t.teardown(() => redis.disconnect())
  const health = await checkHealth('redis', () => redis.ping(), 150)
  t.match(health, { kind: 'redis', ok: false, error: 'redis did not answer within 150 ms' })
})

t.test('probes: one run for concurrent callers; absent targets give null / memory; a failed count gives null', async (t) => {
  let roundTrips = 0
  let release = () => {}
  const gate = new Promise<void>((resolve) => (release = resolve))
  const probes = createProbes(
    () => ({
      database: { kind: 'pglite', roundTrip: async () => { roundTrips += 1; await gate } },
      queueDepth: async () => { throw new Error('relation "agenda_jobs" does not exist') },
    }),
    1000,
  )
  t.equal(probes.latest(), null, 'nothing before the first run')
  const first = probes.refresh()
  const second = probes.refresh()
  release()
  const [a, b] = await Promise.all([first, second])
  t.equal(roundTrips, 1, 'the second caller shared the run in flight')
  t.equal(a, b)
  t.match(a, { database: { kind: 'pglite', ok: true }, redis: { kind: 'memory', ok: true, latencyMs: 0 }, queueDepth: null })
  await probes.refresh()
  t.equal(roundTrips, 2, 'a later call runs again')
  t.same(probes.latest()?.database?.ok, true)

  const none = await createProbes(() => ({}), 1000).refresh()
  t.same(none, { database: null, redis: { kind: 'memory', ok: true, latencyMs: 0 }, queueDepth: null })
})
