import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { withStreamTimeouts } from './stream-timeouts.js'

async function* chunks(gapsMs: number[], hangAfter = false): AsyncGenerator<number> {
  for (const [i, gap] of gapsMs.entries()) {
    await sleep(gap)
    yield i
  }
  if (hangAfter) await new Promise(() => undefined)
}

async function drain(stream: AsyncIterable<number>): Promise<{ got: number[]; error?: { code: string; message: string } }> {
  const got: number[] = []
  try {
    for await (const n of stream) got.push(n)
    return { got }
  } catch (error) {
    return { got, error: error as { code: string; message: string } }
  }
}

t.test('chunks within the limits pass through; a model silent after some output times out with PROVIDER_TIMEOUT', async (t) => {
  t.same(await drain(withStreamTimeouts(chunks([5, 5, 5]), { firstByteMs: 200, idleMs: 60 }).stream), { got: [0, 1, 2] })
  const silent = await drain(withStreamTimeouts(chunks([5, 5], true), { firstByteMs: 5_000, idleMs: 60 }).stream)
  t.same(silent.got, [0, 1], 'the partial output is kept')
  t.match(silent.error, { code: 'PROVIDER_TIMEOUT', message: /went silent for more than 60 ms/ }, 'the idle limit applies after the first chunk, though the first-byte one is longer')
  const none = await drain(withStreamTimeouts(chunks([], true), { firstByteMs: 50, idleMs: 5_000 }).stream)
  t.match(none.error, { code: 'PROVIDER_TIMEOUT', message: /sent nothing within 50 ms/ })
})

t.test('the consumer\'s own time between chunks does not count; extend() moves the deadline for a retry', async (t) => {
  const timed = withStreamTimeouts(chunks([5, 5, 5]), { firstByteMs: 200, idleMs: 40 })
  const got: number[] = []
  for await (const n of timed.stream) {
    got.push(n)
    await sleep(100) // a slow consumer, longer than idleMs
  }
  t.same(got, [0, 1, 2])
  const retried = withStreamTimeouts(chunks([120]), { firstByteMs: 60, idleMs: 60 })
  setTimeout(() => retried.extend(200), 20)
  t.same(await drain(retried.stream), { got: [0] }, 'a retry delay announced in time pushes the first-byte deadline back')
})
