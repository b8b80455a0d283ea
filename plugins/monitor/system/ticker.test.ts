import t from 'tap'
import { createMemoryEventBus } from '../../../kernel/ports/memory-event-bus.js'
import { createLogger, systemClock } from '../../../kernel/ports/basics.js'
import { protocol } from '../../../kernel/index.js'
import { createTicker, type TickerDeps } from './ticker.js'

const fakeMetrics = (n: number) => ({ at: `t${n}` }) as unknown as protocol.SystemMetrics

function setup(options: { listening: boolean; events?: boolean; snapshot?: () => Promise<protocol.SystemMetrics> }) {
  const eventBus = createMemoryEventBus({ clock: systemClock, retention: 100 })
  const lines: string[] = []
  const state = { closed: 0, listening: options.listening, snapshots: 0 }
  const deps: TickerDeps = {
    intervalMs: 1000,
    closeInterval: () => void (state.closed += 1),
    emit:
      options.events === false
        ? null
        : {
            eventBus: () => eventBus,
            listening: () => state.listening,
            snapshot: options.snapshot ?? (async () => fakeMetrics(++state.snapshots)),
          },
    logger: createLogger({ level: 'debug', write: (line) => lines.push(line) }),
  }
  return { ticker: createTicker(deps), eventBus, state, lines }
}

t.test('each tick closes the interval and appends one system.metrics to the global stream while someone listens', async (t) => {
  const { ticker, eventBus, state } = setup({ listening: true })
  await ticker.tick()
  await ticker.tick()
  t.equal(state.closed, 2)
  const read = await eventBus.readSince(protocol.GLOBAL_STREAM, 0)
  t.ok(read.ok)
  if (!read.ok) return
  t.same(read.events.map((e) => [e.type, (e.data as { at: string }).at]), [['system.metrics', 't1'], ['system.metrics', 't2']])
})

t.test('nobody listening or events off: the interval still closes, nothing is appended', async (t) => {
  for (const options of [{ listening: false }, { listening: true, events: false }]) {
    const { ticker, eventBus, state } = setup(options)
    await ticker.tick()
    t.equal(state.closed, 1, 'windowed figures keep moving')
    t.equal(await eventBus.head(protocol.GLOBAL_STREAM), 0, `no event (${JSON.stringify(options)})`)
  }
  const { ticker, eventBus, state } = setup({ listening: false })
  await ticker.tick()
  state.listening = true
  await ticker.tick()
  t.equal(await eventBus.head(protocol.GLOBAL_STREAM), 1, 'emits again once someone listens')
})

t.test('a tick whose snapshot is still running makes the next one skip its event', async (t) => {
  let release = () => {}
  const gate = new Promise<void>((resolve) => (release = resolve))
  const { ticker, eventBus, state } = setup({
    listening: true,
    snapshot: async () => {
      await gate
      return fakeMetrics(1)
    },
  })
  const slow = ticker.tick()
  await ticker.tick()
  t.equal(state.closed, 2)
  release()
  await slow
  t.equal(await eventBus.head(protocol.GLOBAL_STREAM), 1, 'one event, not two piled up')
})

t.test('a failing snapshot is logged once per distinct error and never thrown', async (t) => {
  const { ticker, lines } = setup({ listening: true, snapshot: async () => Promise.reject(new Error('database gone')) })
  await ticker.tick()
  await ticker.tick()
  const warnings = lines.filter((line) => line.includes('could not emit system.metrics'))
  t.equal(warnings.length, 1)
  t.match(warnings[0], /database gone/)
})
