import t, { type Test } from 'tap'
import { createMemoryEventBus } from '../../../kernel/ports/memory-event-bus.js'
import { createMemoryKeyValue, createMemoryLocks } from '../../../kernel/ports/memory-locks.js'
import { createTestKernel } from '../../../kernel/testing/index.js'
import { env, envelopeText, type NewEvent, type protocol } from '../../../kernel/index.js'
import { deletePrefix, openRedisPorts, systemClock, uniquePrefix, waitFor, type PortSet } from './test-support.js'

/**
 * One contract for eventBus, locks and kv, run against the kernel's in-memory ports and, when
 * REDIS_URL is set, against the Redis ones. `a` and `b` are two server instances: with Redis two
 * separate sets of connections; in memory (one process only) the same ports.
 */
interface Instances {
  a: PortSet
  b: PortSet
}
type Setup = (t: Test, options: { retention: number }) => Promise<Instances>

const REDIS_URL = process.env.REDIS_URL?.trim() ?? ''

const memorySetup: Setup = async (_t, { retention }) => {
  const ports = { eventBus: createMemoryEventBus({ clock: systemClock, retention }), locks: createMemoryLocks(), kv: createMemoryKeyValue() }
  return { a: ports, b: ports }
}

const redisSetup: Setup = async (tt, { retention }) => {
  const prefix = uniquePrefix()
  const a = await openRedisPorts(REDIS_URL, prefix, retention)
  const b = await openRedisPorts(REDIS_URL, prefix, retention)
  tt.teardown(async () => {
    await deletePrefix(a.connections, prefix)
    await Promise.all([a.connections.close(), b.connections.close()])
  })
  return { a, b }
}

const status = (n: number): NewEvent => ({ type: 'session.status', sessionId: 's1', data: { sessionId: 's1', status: 'busy', message: `m${n}` } })
const seqs = (events: protocol.EventEnvelope[]) => events.map((e) => e.seq)

function eventBusContract(name: string, setup: Setup): void {
  t.test(`${name}: sequences increase by one per stream; envelope shape`, async (tt) => {
    const { a } = await setup(tt, { retention: 100 })
    const first = await a.eventBus.append('session:s1', status(1))
    const second = await a.eventBus.append('session:s1', status(2))
    const other = await a.eventBus.append('global', { type: 'error', data: { code: 'X', message: 'y' } })
    tt.same([first.seq, second.seq, other.seq], [1, 2, 1])
    tt.match(first, { v: 1, stream: 'session:s1', seq: 1, type: 'session.status', sessionId: 's1', data: { status: 'busy', message: 'm1' } })
    tt.ok(!Number.isNaN(Date.parse(first.at)), 'at is an ISO date')
    tt.notOk('sessionId' in other, 'no sessionId key when the event has none')
    tt.equal(await a.eventBus.head('session:s1'), 2)
    tt.equal(await a.eventBus.head('session:none'), 0)
  })

  t.test(`${name}: the JSON text consumers send for an envelope is exactly its JSON (appended, live elsewhere, read back)`, async (tt) => {
    const { a, b } = await setup(tt, { retention: 100 })
    const live: protocol.EventEnvelope[] = []
    const stop = await b.eventBus.subscribe('global', (e) => live.push(e))
    const appended = [
      await a.eventBus.append('global', status(1)),
      await a.eventBus.append('global', { type: 'error', data: { code: 'X', message: 'ünïcødé "quoted" \\ ✓' } }),
    ]
    await waitFor(() => live.length >= 2, 'b receives both')
    const read = await b.eventBus.readSince('global', 0)
    const every = [...appended, ...live, ...(read.ok ? read.events : [])]
    tt.equal(every.length, 6)
    for (const envelope of every) tt.equal(envelopeText(envelope), JSON.stringify(envelope))
    stop()
  })

  t.test(`${name}: readSince returns exactly the missed events`, async (tt) => {
    const { a, b } = await setup(tt, { retention: 100 })
    for (let i = 1; i <= 5; i++) await a.eventBus.append('session:s1', status(i))
    const missed = await b.eventBus.readSince('session:s1', 2)
    tt.ok(missed.ok)
    if (missed.ok) {
      tt.same(seqs(missed.events), [3, 4, 5])
      tt.same(missed.events.map((e) => (e.data as { message: string }).message), ['m3', 'm4', 'm5'])
      tt.equal(missed.head, 5)
    }
    tt.same(await b.eventBus.readSince('session:s1', 5), { ok: true, events: [], head: 5 })
    const all = await b.eventBus.readSince('session:s1', 0)
    tt.same(all.ok && seqs(all.events), [1, 2, 3, 4, 5])
    tt.same(await b.eventBus.readSince('session:empty', 0), { ok: true, events: [], head: 0 })
  })

  t.test(`${name}: retention trims the log; old or future cursors are cursor_expired`, async (tt) => {
    const { a } = await setup(tt, { retention: 3 })
    for (let i = 1; i <= 5; i++) await a.eventBus.append('session:s1', status(i))
    tt.same(await a.eventBus.readSince('session:s1', 1), { ok: false, reason: 'cursor_expired', head: 5 })
    const kept = await a.eventBus.readSince('session:s1', 2)
    tt.same(kept.ok && seqs(kept.events), [3, 4, 5])
    tt.same(await a.eventBus.readSince('session:s1', 6), { ok: false, reason: 'cursor_expired', head: 5 })
  })

  t.test(`${name}: seed raises the sequence, never lowers it`, async (tt) => {
    const { a } = await setup(tt, { retention: 100 })
    await a.eventBus.append('session:s1', status(1))
    await a.eventBus.seed('session:s1', 10)
    tt.equal(await a.eventBus.head('session:s1'), 10)
    await a.eventBus.seed('session:s1', 4)
    tt.equal(await a.eventBus.head('session:s1'), 10, 'a lower seed is ignored')
    tt.equal((await a.eventBus.append('session:s1', status(2))).seq, 11)
    tt.same(await a.eventBus.readSince('session:s1', 9), { ok: false, reason: 'cursor_expired', head: 11 }, 'events before the seed are gone')
    const after = await a.eventBus.readSince('session:s1', 10)
    tt.same(after.ok && seqs(after.events), [11])
  })

  t.test(`${name}: two instances' subscribers receive appends live and in order`, async (tt) => {
    const { a, b } = await setup(tt, { retention: 100 })
    const gotA: number[] = []
    const gotB: number[] = []
    const stopA = await a.eventBus.subscribe('session:s1', (e) => gotA.push(e.seq))
    const stopB = await b.eventBus.subscribe('session:s1', (e) => gotB.push(e.seq))
    const other: number[] = []
    const stopOther = await b.eventBus.subscribe('session:s2', (e) => other.push(e.seq))
    await Promise.all(Array.from({ length: 20 }, (_, i) => a.eventBus.append('session:s1', status(i))))
    const expected = Array.from({ length: 20 }, (_, i) => i + 1)
    await waitFor(() => gotA.length >= 20 && gotB.length >= 20, 'both subscribers')
    tt.same(gotA, expected, 'instance a in order')
    tt.same(gotB, expected, 'instance b in order')
    tt.same(other, [], 'another stream sees nothing')
    stopA()
    await a.eventBus.append('session:s1', status(21))
    await waitFor(() => gotB.length === 21, 'b after a left')
    tt.equal(gotA.length, 20, 'an unsubscribed listener gets nothing more')
    stopB()
    stopOther()
  })
}

function interleavedContract(name: string, setup: Setup): void {
  t.test(`${name}: appends from two instances interleaved: every subscriber gets each event once, in order`, async (tt) => {
    const { a, b } = await setup(tt, { retention: 1000 })
    const got = { a: [] as number[], b: [] as number[], a2: [] as number[] }
    const stops = [
      await a.eventBus.subscribe('session:mix', (e) => got.a.push(e.seq)),
      await b.eventBus.subscribe('session:mix', (e) => got.b.push(e.seq)),
      await a.eventBus.subscribe('session:mix', (e) => got.a2.push(e.seq)),
    ]
    const rounds = 30
    for (let round = 0; round < rounds; round++) {
      // Bursts from both instances at once, sometimes awaited one by one.
      const burst = [a, b, a, a, b].map((side, i) => side.eventBus.append('session:mix', status(round * 5 + i)))
      if (round % 3 === 0) for (const appended of burst) await appended
      else await Promise.all(burst)
    }
    const expected = Array.from({ length: rounds * 5 }, (_, i) => i + 1)
    await waitFor(() => got.a.length >= expected.length && got.b.length >= expected.length && got.a2.length >= expected.length, 'all subscribers')
    await new Promise((r) => setTimeout(r, 50))
    tt.same(got.a, expected, 'instance a: once each, in order')
    tt.same(got.a2, expected, 'a second listener on a: the same')
    tt.same(got.b, expected, 'instance b: once each, in order')
    for (const stop of stops) stop()
  })
}

function locksContract(name: string, setup: Setup): void {
  t.test(`${name}: a lock is exclusive until released`, async (tt) => {
    const { a, b } = await setup(tt, { retention: 10 })
    const held = await a.locks.tryAcquire('lock:session:s1', 5_000)
    tt.ok(held)
    tt.equal(held?.key, 'lock:session:s1')
    tt.equal(await b.locks.tryAcquire('lock:session:s1', 5_000), null, 'held elsewhere')
    tt.ok(await b.locks.tryAcquire('lock:session:s2', 5_000), 'other keys are independent')
    await held?.release()
    tt.ok(await b.locks.tryAcquire('lock:session:s1', 5_000), 'free after release')
  })

  t.test(`${name}: a lock expires; the old holder can neither refresh nor release the new one`, async (tt) => {
    const { a, b } = await setup(tt, { retention: 10 })
    const old = await a.locks.tryAcquire('job', 150)
    tt.ok(old)
    let next: Awaited<ReturnType<typeof b.locks.tryAcquire>> = null
    await waitFor(async () => (next = await b.locks.tryAcquire('job', 5_000)) !== null, 'the lock to expire')
    tt.equal(await old?.refresh(5_000), false, 'refresh reports the lock lost')
    await old?.release()
    tt.equal(await a.locks.tryAcquire('job', 5_000), null, 'the old token did not release the new holder')
    tt.equal(await next!.refresh(5_000), true, 'the holder refreshes')
    await next!.release()
    tt.ok(await a.locks.tryAcquire('job', 5_000))
  })

  t.test(`${name}: refresh extends a lock past its first TTL`, async (tt) => {
    const { a, b } = await setup(tt, { retention: 10 })
    const held = await a.locks.tryAcquire('long', 200)
    const control = await a.locks.tryAcquire('control', 200)
    tt.ok(held && control)
    tt.equal(await held?.refresh(10_000), true)
    await waitFor(async () => (await b.locks.tryAcquire('control', 5_000)) !== null, 'the control lock to expire')
    tt.equal(await b.locks.tryAcquire('long', 5_000), null, 'the refreshed lock is still held')
  })
}

function kvContract(name: string, setup: Setup): void {
  t.test(`${name}: kv get, set, delete and TTL`, async (tt) => {
    const { a, b } = await setup(tt, { retention: 10 })
    tt.equal(await a.kv.get('missing'), null)
    await a.kv.set('k', 'v1')
    tt.equal(await b.kv.get('k'), 'v1')
    await a.kv.set('k', 'v2')
    tt.equal(await b.kv.get('k'), 'v2', 'set overwrites')
    await a.kv.delete('k')
    tt.equal(await b.kv.get('k'), null, 'deleted')
    await a.kv.set('short', 'x', { ttlMs: 150 })
    await a.kv.set('kept', 'y', { ttlMs: 150 })
    await a.kv.set('kept', 'y2')
    tt.equal(await b.kv.get('short'), 'x', 'readable before expiry')
    await waitFor(async () => (await b.kv.get('short')) === null, 'the TTL to expire')
    tt.equal(await b.kv.get('kept'), 'y2', 'a later set without TTL keeps the value')
  })
}

for (const [name, setup] of [['memory', memorySetup], ...(REDIS_URL ? [['redis', redisSetup] as const] : [])] as const) {
  eventBusContract(name, setup)
  interleavedContract(name, setup)
  locksContract(name, setup)
  kvContract(name, setup)
}

if (REDIS_URL) {
  t.test('redis: the last local unsubscribe releases the channel on the Redis server', async (tt) => {
    const prefix = uniquePrefix()
    const a = await openRedisPorts(REDIS_URL, prefix, 10)
    tt.teardown(() => a.connections.close())
    const channel = `${prefix}evt:session:s1`
    const count = async () => Number(((await a.connections.command.pubsub('NUMSUB', channel)) as [string, number])[1])
    const one = await a.eventBus.subscribe('session:s1', () => undefined)
    const two = await a.eventBus.subscribe('session:s1', () => undefined)
    tt.equal(await count(), 1, 'one shared subscription for two local listeners')
    one()
    tt.equal(await count(), 1, 'still subscribed while a listener remains')
    two()
    await waitFor(async () => (await count()) === 0, 'UNSUBSCRIBE')
    tt.pass('unsubscribed')
  })
} else {
  t.test('redis: REDIS_URL is unset, so the plugin registers nothing and the in-memory ports stay', async (tt) => {
    const test = await createTestKernel({ plugins: { 'realtime-redis': { url: env('REDIS_URL', { optional: true }) } } })
    tt.teardown(test.close)
    for (const port of ['eventBus', 'locks', 'kv']) tt.notOk(test.kernel.replacedPorts.has(port), `${port} is the kernel's`)
    tt.equal(test.kernel.resolve('realtimeRedis').mode, 'memory')
    tt.ok(test.logLines.some((line) => line.includes('REDIS_URL is not set')), 'says so in the log')
    tt.equal((await test.kernel.resolve('eventBus').append('global', { type: 'error', data: { code: 'X', message: 'y' } })).seq, 1)
  })
}
