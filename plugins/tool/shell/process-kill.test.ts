import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { alive, pidsIn, shellFixture } from './test-support.js'

/** A child shell that starts a grandchild sleeping, printing both pids, then waits. */
const TREE = `bash -c 'sleep 30 & echo grand=$!; wait' & echo child=$!; echo shell=$$; wait`

async function gone(pids: number[], withinMs = 1_000): Promise<boolean> {
  const deadline = Date.now() + withinMs
  while (pids.some(alive) && Date.now() < deadline) await sleep(20)
  return !pids.some(alive)
}

t.test('a timeout stops the whole process group, grandchildren included, and says what was cut off', async (t) => {
  const f = shellFixture({ killGraceMs: 2_000 })
  t.teardown(f.cleanup)
  const started = Date.now()
  const result = await f.run({ command: `${TREE}; echo never-printed`, timeout_ms: 600 })
  const elapsed = Date.now() - started
  const pids = pidsIn(result.output)
  t.ok(pids.shell && pids.child && pids.grand, `three processes were started: ${JSON.stringify(pids)}`)
  t.ok(await gone([pids.shell, pids.child, pids.grand], 200), 'shell, child and grandchild are all gone')
  t.equal(result.isError, true)
  t.match(result.output, /^Timed out after 0\.6 s: it was stopped \(SIGTERM to its process group\)\. Output until then:\n/)
  t.match(result.output, /grand=\d+/)
  t.notMatch(result.output, /never-printed/)
  t.match(result.metadata, { timedOut: true, aborted: false, exitCode: null, signal: 'SIGTERM', stoppedWith: 'SIGTERM' })
  t.ok(elapsed >= 600 && elapsed < 1_900, `stopped promptly by SIGTERM, without waiting for the grace (${elapsed} ms)`)
})

t.test('a process that ignores SIGTERM is killed with SIGKILL after the grace period', async (t) => {
  const f = shellFixture({ killGraceMs: 500 })
  t.teardown(f.cleanup)
  const started = Date.now()
  const result = await f.run({ command: `trap '' TERM; ${TREE}`, timeout_ms: 400 })
  const elapsed = Date.now() - started
  const pids = pidsIn(result.output)
  t.ok(await gone([pids.shell, pids.child, pids.grand], 500), 'every process of the group is gone')
  t.ok(elapsed >= 900, `SIGKILL came after the timeout plus the grace (${elapsed} ms)`)
  t.ok(elapsed < 2_500, `and not much later (${elapsed} ms)`)
  t.match(result.output, /^Timed out after 0\.4 s: it was stopped \(SIGTERM to its process group, then SIGKILL after 0\.5 s because a process ignored SIGTERM\)/)
  t.match(result.metadata, { timedOut: true, signal: 'SIGKILL', stoppedWith: 'SIGKILL' })
})

t.test('aborting mid-run stops the command at once and returns the output so far', async (t) => {
  const f = shellFixture()
  t.teardown(f.cleanup)
  const controller = new AbortController()
  const running = f.run({ command: `echo started; ${TREE}` }, { abortSignal: controller.signal })
  const deadline = Date.now() + 5_000
  while (!f.progress.some((p) => p.output?.includes('grand=')) && Date.now() < deadline) await sleep(10)
  const abortedAt = Date.now()
  controller.abort()
  const result = await running
  t.ok(Date.now() - abortedAt < 1_000, `returned ${Date.now() - abortedAt} ms after the abort`)
  t.equal(result.isError, true)
  t.match(result.output, /^Aborted after [\d.]+ s: it was stopped \(SIGTERM to its process group\)\. Output until then:\n\nstarted\n/)
  t.match(result.metadata, { aborted: true, timedOut: false })
  const pids = pidsIn(result.output)
  t.ok(await gone([pids.shell, pids.child, pids.grand], 200), 'the whole tree is gone')
})

t.test('background processes left running when the command ends are stopped', async (t) => {
  const f = shellFixture()
  t.teardown(f.cleanup)
  const held = await f.run({ command: 'sleep 30 & echo bg=$!' })
  const quiet = await f.run({ command: 'sleep 30 >/dev/null 2>&1 & echo bg=$!' })
  for (const result of [held, quiet]) {
    t.match(result.output, /^Exit code: 0\nNote: processes still running in the background when the command ended were stopped\.\n/)
    t.equal(result.metadata?.leftoversStopped, true)
    t.ok(await gone([pidsIn(result.output).bg], 200), 'the background sleep is gone')
  }
  const clean = await f.run({ command: 'sleep 0.05 & wait; echo done' })
  t.equal(clean.metadata?.leftoversStopped, false)
  t.ok((clean.metadata?.durationMs as number) < 1_000)
})

t.test('stopAll (used at shutdown) stops every running command', async (t) => {
  const f = shellFixture({ killGraceMs: 300 })
  t.teardown(f.cleanup)
  const runs = [f.run({ command: 'echo a=$$; sleep 30' }), f.run({ command: "trap '' TERM; echo b=$$; sleep 30" })]
  const deadline = Date.now() + 5_000
  while (f.progress.filter((p) => /[ab]=/.test(p.output ?? '')).length < 2 && Date.now() < deadline) await sleep(10)
  t.equal(f.shell.running(), 2)
  await f.shell.stopAll()
  const [a, b] = await Promise.all(runs)
  t.equal(f.shell.running(), 0)
  t.match(a.metadata, { signal: 'SIGTERM', aborted: true })
  t.match(b.metadata, { signal: 'SIGKILL', aborted: true, stoppedWith: 'SIGKILL' })
  t.match(b.output, /^Aborted after/)
  t.ok(await gone([pidsIn(a.output).a, pidsIn(b.output).b], 200))
})
