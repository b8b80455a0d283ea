import t from 'tap'
import { InterruptibleIterator } from './interruptible.js'

async function* numbers(closed: { value: boolean }) {
  try {
    yield 1
    yield 2
    await new Promise((r) => setTimeout(r, 10_000).unref())
    yield 3
  } finally {
    closed.value = true
  }
}

t.test('reads pass through until the watchdog fails the read in progress; later reads fail the same way', async (t) => {
  const closed = { value: false }
  const reads = new InterruptibleIterator(numbers(closed))
  t.same(await reads.next(), { value: 1, done: false })
  t.same(await reads.next(), { value: 2, done: false })
  const stuck = reads.next()
  reads.fail(new Error('went silent'))
  reads.fail(new Error('a second failure'))
  await t.rejects(stuck, { message: 'went silent' })
  await t.rejects(reads.next(), { message: 'went silent' }, 'the first failure wins, for every later read')
})

t.test('a failure before any read fails the first read; close() ends the source', async (t) => {
  const closed = { value: false }
  const source = numbers(closed)
  const reads = new InterruptibleIterator(source)
  t.same(await reads.next(), { value: 1, done: false })
  reads.close()
  await new Promise((r) => setImmediate(r))
  t.equal(closed.value, true, 'the generator ran its finally')
  const early = new InterruptibleIterator(numbers({ value: false }))
  early.fail(new Error('too late'))
  await t.rejects(early.next(), { message: 'too late' })
})

t.test('an error of the source itself reaches the reader', async (t) => {
  async function* broken() {
    yield 'a'
    throw new Error('connection reset')
  }
  const reads = new InterruptibleIterator(broken())
  t.same(await reads.next(), { value: 'a', done: false })
  await t.rejects(reads.next(), { message: 'connection reset' })
})
