import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { createProgressStream } from './progress.js'

t.test('reports at most once per interval and loses nothing', async (t) => {
  const reports: Array<{ output?: string; message?: string }> = []
  const stream = createProgressStream((p) => reports.push(p), { intervalMs: 100, maxChars: 1_000 })
  stream.push('a')
  t.equal(reports.length, 1, 'the first piece goes out at once')
  for (const piece of ['b', 'c', 'd']) stream.push(piece)
  t.equal(reports.length, 1, 'later pieces wait for the interval')
  await sleep(130)
  t.equal(reports.length, 2, 'one update carries everything that waited')
  t.equal(reports[1].output, 'bcd')
  stream.push('e')
  stream.flush()
  t.equal(reports.length, 3, 'flush reports what is pending')
  stream.flush()
  t.equal(reports.length, 3, 'nothing pending, nothing reported')
  t.equal(reports.map((r) => r.output).join(''), 'abcde')
  t.match(reports[2].message, /^Running for \d+\.\d s, 5 chars of output$/)
})

t.test('a flood between two updates keeps only its latest part, saying how much was skipped', async (t) => {
  const reports: Array<{ output?: string }> = []
  const stream = createProgressStream((p) => reports.push(p), { intervalMs: 1_000, maxChars: 1_000 })
  stream.push('start\n')
  for (let i = 0; i < 50; i++) stream.push('x'.repeat(99) + '\n')
  stream.flush()
  t.equal(reports.length, 2)
  t.match(reports[1].output, /^\[\.\.\. 4000 characters not shown live \.\.\.\]\n/)
  t.equal(reports[1].output!.split('\n').slice(1).join('\n').length, 1_000)
})
