import t from 'tap'
import { atTickEnd } from './tick-end.js'

t.test('callbacks run once this loop turn is done, in order; ones added by the batch join it', async (t) => {
  const seen: string[] = []
  const done = new Promise<void>((resolve) => {
    atTickEnd(() => {
      seen.push('first')
      // Added while the batch runs: before anything the next loop turn brings.
      setImmediate(() => {
        seen.push('next turn')
        resolve()
      })
      atTickEnd(() => seen.push('added by the batch'))
    })
    atTickEnd(() => seen.push('second'))
    void Promise.resolve().then(() => seen.push('microtask'))
    seen.push('sync')
  })
  await done
  t.same(seen, ['sync', 'microtask', 'first', 'second', 'added by the batch', 'next turn'])
})

t.test('a later turn gets a new batch', async (t) => {
  const turns: number[] = []
  await new Promise<void>((resolve) => atTickEnd(() => (turns.push(1), resolve())))
  await new Promise<void>((resolve) => atTickEnd(() => (turns.push(2), resolve())))
  t.same(turns, [1, 2])
})
