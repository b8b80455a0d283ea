import { EventEmitter } from 'node:events'
import t from 'tap'
import type { EventBus, Logger, protocol, ReadSinceResult } from '../../../kernel/index.js'
import { formatFrame, SseHub, type SseTarget } from './sse.js'

class FakeTarget extends EventEmitter implements SseTarget {
  chunks: string[] = []
  writableLength = 0
  writableEnded = false
  destroyed = false
  /** Bytes each write adds to writableLength (a consumer that never reads). */
  stuckBytesPerWrite = 0
  write(chunk: string): boolean {
    this.chunks.push(chunk)
    this.writableLength += this.stuckBytesPerWrite
    return true
  }
  end(): void {
    this.writableEnded = true
    setImmediate(() => this.emit('close'))
  }
  destroy(): void {
    this.destroyed = true
    this.emit('close')
  }
  get text(): string {
    return this.chunks.join('')
  }
  get ids(): number[] {
    return [...this.text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))
  }
}

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet }
const event = (seq: number, type = 'part.delta'): protocol.EventEnvelope =>
  ({ v: 1, stream: 'session:s1', seq, at: '2025-01-01T00:00:00.000Z', type, sessionId: 's1', data: {} }) as protocol.EventEnvelope

/** A bus whose readSince waits for `release()`, so a test can publish live events in between. */
function fakeBus(log: protocol.EventEnvelope[], result?: ReadSinceResult) {
  const listeners = new Set<(e: protocol.EventEnvelope) => void>()
  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  let unsubscribed = 0
  const bus: EventBus = {
    append: async () => {
      throw new Error('not used')
    },
    readSince: async (_stream, since) => {
      await gate
      return result ?? { ok: true, events: log.filter((e) => e.seq > since), head: log.at(-1)?.seq ?? 0 }
    },
    head: async () => log.at(-1)?.seq ?? 0,
    seed: async () => undefined,
    subscribe: async (_stream, listener) => {
      listeners.add(listener)
      return () => {
        unsubscribed += 1
        listeners.delete(listener)
      }
    },
  }
  const publish = (e: protocol.EventEnvelope) => {
    log.push(e)
    for (const listener of listeners) listener(e)
  }
  return { bus, publish, release, listeners, unsubscribed: () => unsubscribed }
}

const hubOptions = { heartbeatMs: 60_000, maxBufferedBytes: 1_048_576, logger: quiet }
/** Frames go out at the end of the event-loop turn they were sent in. */
const tick = () => new Promise((resolve) => setImmediate(resolve))

t.test('frame format', async (t) => {
  t.equal(formatFrame({ seq: 7, type: 'part.delta' }, { a: 1 }), 'id: 7\nevent: part.delta\ndata: {"a":1}\n\n')
  t.equal(formatFrame({ type: 'stream.reset' }, { b: 'x\ny' }), 'event: stream.reset\ndata: {"b":"x\\ny"}\n\n', 'no id line; data stays on one line')
})

t.test('replay then live: no gap, no duplicate, in order', async (t) => {
  const log = [event(1), event(2), event(3)]
  const { bus, publish, release } = fakeBus(log)
  const hub = new SseHub(hubOptions)
  const target = new FakeTarget()
  const opening = hub.open(target, { eventBus: bus, streamName: 'session:s1', cursor: 1 })
  await new Promise((resolve) => setImmediate(resolve))
  publish(event(4)) // arrives while readSince is pending: in the log AND buffered
  publish(event(5))
  release()
  await opening
  publish(event(6))
  await tick()
  t.same(target.ids, [2, 3, 4, 5, 6])
  t.equal(hub.count(), 1)
  const envelope = JSON.parse(target.text.split('\n\n')[0].split('data: ')[1])
  t.match(envelope, { v: 1, seq: 2, type: 'part.delta', stream: 'session:s1' })
})

t.test('no cursor: live only', async (t) => {
  const { bus, publish, release } = fakeBus([event(1), event(2)])
  release()
  const target = new FakeTarget()
  await new SseHub(hubOptions).open(target, { eventBus: bus, streamName: 'session:s1', cursor: null })
  publish(event(3))
  await tick()
  t.same(target.ids, [3])
})

t.test('a cursor the log cannot serve yields one stream.reset, then live after head', async (t) => {
  const { bus, publish, release } = fakeBus([event(1), event(2)], { ok: false, reason: 'cursor_expired', head: 2 })
  const target = new FakeTarget()
  const opening = new SseHub(hubOptions).open(target, { eventBus: bus, streamName: 'session:s1', cursor: 99 })
  await new Promise((resolve) => setImmediate(resolve))
  release()
  await opening
  publish(event(3))
  await tick()
  const [first, second] = target.text.split('\n\n')
  t.match(first, /^event: stream\.reset\ndata: /)
  t.notMatch(first, /^id:/m)
  t.match(JSON.parse(first.split('data: ')[1]), { type: 'stream.reset', stream: 'session:s1', data: { reason: 'cursor_expired', head: 2 } })
  t.match(second, /^id: 3\nevent: part\.delta/)
})

t.test('client disconnect unsubscribes, stops the heartbeat and frees the slot', async (t) => {
  const { bus, release, listeners, unsubscribed } = fakeBus([])
  release()
  const hub = new SseHub({ ...hubOptions, heartbeatMs: 10 })
  const target = new FakeTarget()
  await hub.open(target, { eventBus: bus, streamName: 'session:s1', cursor: null })
  await new Promise((resolve) => setTimeout(resolve, 35))
  t.ok(target.chunks.filter((c) => c === ': ping\n\n').length >= 2, 'heartbeats')
  target.destroy()
  await new Promise((resolve) => setImmediate(resolve))
  const written = target.chunks.length
  await new Promise((resolve) => setTimeout(resolve, 30))
  t.equal(target.chunks.length, written, 'no heartbeat after close')
  t.equal(unsubscribed(), 1)
  t.equal(listeners.size, 0)
  t.equal(hub.count(), 0)
})

t.test('a disconnect during open still unsubscribes once the subscription lands', async (t) => {
  const { bus, release, listeners } = fakeBus([])
  const hub = new SseHub(hubOptions)
  const target = new FakeTarget()
  const opening = hub.open(target, { eventBus: bus, streamName: 'session:s1', cursor: 0 })
  target.destroy()
  release()
  await opening
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(listeners.size, 0)
  t.equal(hub.count(), 0)
})

t.test('a slow consumer over the buffer limit is ended and unsubscribed', async (t) => {
  const { bus, publish, release, listeners } = fakeBus([])
  release()
  const hub = new SseHub({ ...hubOptions, maxBufferedBytes: 1000 })
  const target = new FakeTarget()
  target.stuckBytesPerWrite = 400
  await hub.open(target, { eventBus: bus, streamName: 'session:s1', cursor: null })
  for (let seq = 1; seq <= 10; seq++) {
    publish(event(seq))
    await tick()
  }
  t.same(target.ids, [1, 2, 3], 'nothing is written after the limit is crossed')
  t.equal(target.writableEnded, true)
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(listeners.size, 0)
  t.equal(hub.count(), 0)
})

t.test('endAll ends every stream with a retry hint', async (t) => {
  const { bus, release } = fakeBus([])
  release()
  const hub = new SseHub(hubOptions)
  const targets = [new FakeTarget(), new FakeTarget()]
  for (const target of targets) await hub.open(target, { eventBus: bus, streamName: 'global', cursor: null })
  t.equal(hub.count(), 2)
  hub.endAll(1500)
  for (const target of targets) {
    t.equal(target.chunks.at(-1), 'retry: 1500\n\n')
    t.equal(target.writableEnded, true)
  }
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(hub.count(), 0)
})

t.test('a failing bus ends the stream instead of hanging', async (t) => {
  const bus = { subscribe: async () => { throw new Error('redis down') } } as unknown as EventBus
  const hub = new SseHub(hubOptions)
  const target = new FakeTarget()
  await hub.open(target, { eventBus: bus, streamName: 'global', cursor: null })
  t.equal(target.writableEnded, true)
  t.match(target.text, /retry: \d+/)
})

t.test('the frames of one event-loop turn go out as one write, in order', async (t) => {
  const { bus, publish, release } = fakeBus([])
  release()
  const target = new FakeTarget()
  await new SseHub(hubOptions).open(target, { eventBus: bus, streamName: 'session:s1', cursor: null })
  for (let seq = 1; seq <= 5; seq++) publish(event(seq))
  t.same(target.chunks, [], 'nothing written before the turn ends')
  await tick()
  publish(event(6))
  await tick()
  t.equal(target.chunks.length, 2, 'one write per turn')
  t.same(target.ids, [1, 2, 3, 4, 5, 6])
})
