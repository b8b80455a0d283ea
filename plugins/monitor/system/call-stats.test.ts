import t from 'tap'
import { createCallStats, percentile, WINDOW_MS, type CompletedCall } from './call-stats.js'

const call = (latencyMs: number, outcome: CompletedCall['outcome'] = 'ok', model = 'demo'): CompletedCall => ({ provider: 'scripted', model, outcome, latencyMs })

t.test('percentile is nearest-rank over ascending values, null when empty', async (t) => {
  t.equal(percentile([], 50), null)
  t.equal(percentile([7], 99), 7)
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1)
  t.equal(percentile(hundred, 50), 50)
  t.equal(percentile(hundred, 99), 99)
  t.equal(percentile(hundred, 100), 100)
})

t.test('calls in the window: rate, error rate, latency per model; older calls drop out', async (t) => {
  let now = 1_000_000
  const seen: CompletedCall[] = []
  const stats = createCallStats({ now: () => now, onCompleted: (c) => seen.push(c) })
  now += WINDOW_MS // a full window since start
  for (let i = 0; i < 4; i++) stats.sent(i === 0)
  stats.completed(call(100))
  stats.completed(call(300))
  stats.completed(call(200, 'error'))
  stats.completed(call(50, 'aborted', 'other'))
  let providers = stats.providers()
  t.equal(providers.windowSec, 60)
  t.equal(providers.completed, 4)
  t.equal(providers.errors, 1)
  t.equal(providers.errorRate, 0.25)
  t.equal(providers.perSecond, Math.round((4 / 60) * 100) / 100)
  t.same(providers.latencyMs, { p50: 100, p99: 300 })
  t.same(
    providers.byModel.map((m) => [m.model, m.completed, m.errors, m.latencyMs.p50]),
    [
      ['demo', 3, 1, 200],
      ['other', 1, 0, 50],
    ],
  )
  t.equal(seen.length, 4, 'every completion is passed on (to the Prometheus counters)')

  now += WINDOW_MS + 1
  providers = stats.providers()
  t.same([providers.completed, providers.errors, providers.errorRate, providers.perSecond], [0, 0, 0, 0], 'a minute later the window is empty')
  t.same(providers.latencyMs, { p50: null, p99: null })
  t.equal(stats.turns().started, 1, 'the turn total is not windowed')
})

t.test('right after boot the window is the time since start', async (t) => {
  let now = 0
  const stats = createCallStats({ now: () => now })
  now = 10_000
  stats.sent(true)
  stats.sent(false)
  t.equal(stats.providers().windowSec, 10)
  t.equal(stats.providers().perSecond, 0.2)
})

t.test('turns per second covers the interval closed by tick()', async (t) => {
  let now = 0
  const stats = createCallStats({ now: () => now })
  t.same(stats.turns(), { started: 0, perSecond: 0 })
  stats.sent(true)
  stats.sent(false) // a later step of the same turn
  stats.sent(true)
  now = 2_000
  stats.tick()
  t.same(stats.turns(), { started: 2, perSecond: 1 })
  now = 3_000
  stats.tick()
  t.same(stats.turns(), { started: 2, perSecond: 0 }, 'no new turn in the next interval')
})
