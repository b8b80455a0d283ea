import t from 'tap'
import { waitFor } from '../../../kernel/testing/wait.js'
import { createProcessSampler } from './process-sampler.js'

/** Keep the thread busy for `ms` (blocks the event loop, burns CPU). */
function busy(ms: number): void {
  const end = Date.now() + ms
  let x = 0
  while (Date.now() < end) x += Math.sqrt(x + 1)
}

t.test('an interval with CPU work and a blocked event loop shows both; memory is live', async (t) => {
  const sampler = createProcessSampler()
  t.teardown(() => sampler.stop())
  sampler.tick()
  // A blocked loop only counts once a delay timer fires after it.
  await new Promise((resolve) => setTimeout(resolve, 30))
  busy(80)
  await new Promise((resolve) => setTimeout(resolve, 30))
  const figures = sampler.tick()
  t.ok(figures.cpu.userPercent + figures.cpu.systemPercent > 0, 'CPU used in the interval')
  t.ok(figures.cpu.cores >= 1)
  t.equal(figures.cpu.loadAverage.length, 3)
  t.ok(figures.eventLoop.lagMs.max > 0, 'the blocked loop shows as lag')
  t.ok(figures.eventLoop.lagMs.p99 <= figures.eventLoop.lagMs.max)
  t.ok(figures.eventLoop.utilization > 0 && figures.eventLoop.utilization <= 1)
  t.same(sampler.figures(), figures, 'figures() answers the last closed interval')
  const memory = sampler.memory()
  t.ok(memory.rssBytes > 0 && memory.heapUsedBytes > 0 && memory.heapTotalBytes >= memory.heapUsedBytes)
})

t.test('garbage collections are counted in total and per interval', async (t) => {
  const sampler = createProcessSampler()
  t.teardown(() => sampler.stop())
  sampler.tick()
  let keep: unknown[] = []
  let first = sampler.tick()
  await waitFor(async () => {
    // Short-lived garbage makes the young generation collect; observer entries arrive asynchronously.
    for (let i = 0; i < 200; i++) keep = Array.from({ length: 10_000 }, (_, j) => ({ j }))
    await new Promise((resolve) => setImmediate(resolve))
    first = sampler.tick()
    return first.gc.count > 0
  }, 'a GC entry', 20_000)
  t.ok(keep.length > 0)
  t.ok(first.gc.pauseMs > 0, 'pauses add up')
  t.equal(first.gc.interval.count, first.gc.count, 'the interval that saw the first collections counts all of them')
  const next = sampler.tick()
  t.ok(next.gc.count >= first.gc.count, 'the total never goes down')
  t.equal(next.gc.interval.count, next.gc.count - first.gc.count, 'the next interval counts only its own')
})
