import t from 'tap'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { findPython } from './python.js'
import { harness, isRunning, toolContext } from './test-helpers.js'

const h = harness({ timeoutMs: 5_000, memoryLimitMb: 64, outputCapChars: 1_000 })
t.teardown(() => h.close())
const py = (code: string, extra: Record<string, unknown> = {}) => h.run({ language: 'python', code, ...extra })

t.test('a missing or disabled interpreter answers with a clear error', async (t) => {
  const missing = harness({ pythonCommand: 'no-such-python-for-code-exec' })
  const off = harness({ python: false })
  t.teardown(() => (missing.close(), off.close()))
  await t.rejects(missing.run({ language: 'python', code: '1' }), {
    code: 'TOOL_CODE_EXEC_PYTHON_UNAVAILABLE',
    message: /no Python 3 interpreter was found \(command "no-such-python-for-code-exec"\)\. Use language "javascript" instead\./,
  })
  await t.rejects(off.run({ language: 'python', code: '1' }), { code: 'TOOL_CODE_EXEC_PYTHON_UNAVAILABLE', message: /turned off/ })
  t.same(missing.leftovers(), [], 'no temp dir was made')
  t.equal((await missing.run({ language: 'javascript', code: '1 + 1' })).metadata?.result, '2', 'JavaScript still works')
})

t.test('with python3 on this machine', async (t) => {
  const python = await findPython('python3')
  if (!python) {
    // Without python3 the machine still proves the error path above; say so in the log.
    t.comment('python3 is not installed: the interpreter tests below cannot run here')
    t.equal(python, null)
    return
  }
  t.match(python, { executable: /^\//, version: /^3\.\d+/ })

  t.test('returns stdout and the last expression as JSON; `result` wins', async (t) => {
    const last = await py('print("hello")\nvalues = {"a": [1, 2]}\nvalues')
    t.equal(last.isError, false)
    t.match(last.metadata, { exitCode: 0, result: '{"a": [1, 2]}' })
    t.match(last.output, /^Exit code 0 after \d+ ms\.\n--- stdout ---\nhello\n--- result \(JSON\) ---\n\{"a": \[1, 2\]\}$/)
    t.equal((await py('result = 5\n"ignored"')).metadata?.result, '5')
    t.equal((await py('print("x")')).metadata?.result, null, 'None is no result')
    t.equal((await py('{1, 2}')).metadata?.result, '"{1, 2}"', 'non-JSON values come back as their repr')
  })

  t.test('runs isolated (-I -S) in the temp dir with an environment of PATH, HOME, LANG', async (t) => {
    process.env.CODE_EXEC_TEST_SECRET = 'server-only-value'
    t.teardown(() => delete process.env.CODE_EXEC_TEST_SECRET)
    const code = 'import os, sys\n[sorted(os.environ), sys.flags.isolated, sys.flags.no_site, os.getcwd() == os.environ["HOME"], os.getcwd()]'
    const result = await py(code)
    const [env, isolated, noSite, cwdIsHome, cwd] = JSON.parse(result.metadata?.result as string) as [string[], number, number, boolean, string]
    t.same(env, ['HOME', 'LANG', 'PATH'])
    t.same([isolated, noSite, cwdIsHome], [1, 1, true])
    t.ok(cwd.startsWith(h.tempRoot), 'cwd is a temp dir under the configured root')
    t.notOk(existsSync(cwd), 'and it is gone afterwards')
  })

  t.test('an exception fails with the traceback of the snippet only', async (t) => {
    const result = await py('def check(n):\n    raise ValueError(f"bad value {n}")\n\ncheck(3)')
    t.equal(result.isError, true)
    t.match(result.metadata, { exitCode: 1, memoryExceeded: false })
    t.match(result.output, /Traceback \(most recent call last\):\n  File "snippet\.py", line 4, in <module>\n    check\(3\)\n  File "snippet\.py", line 2, in check\n/)
    t.match(result.output, /ValueError: bad value 3/)
    t.notMatch(result.output, /prelude/)
    const syntax = await py('def broken(:\n  pass')
    t.match(syntax.output, /File "snippet\.py", line 1\n[\s\S]*SyntaxError/)
    const exit = await py('import sys\nprint("bye")\nsys.exit(3)')
    t.match(exit.metadata, { exitCode: 3 })
    t.match(exit.output, /^Failed with exit code 3 after \d+ ms\.\n--- stdout ---\nbye$/)
  })

  t.test('an infinite loop is killed at the time limit', async (t) => {
    const started = Date.now()
    const result = await py('print("spinning")\nwhile True:\n    pass', { timeout_ms: 1_500 })
    t.match(result.metadata, { timedOut: true, exitCode: null, exitSignal: 'SIGKILL' })
    t.ok(Date.now() - started < 6_500, 'returned promptly')
    t.match(result.output, /^Timed out: the time limit of 1500 ms was reached[\s\S]*--- stdout ---\nspinning/)
  })

  t.test('a memory blow-up is stopped by the memory limit and reported clearly', async (t) => {
    const result = await py('blocks = []\nwhile True:\n    blocks.append(bytearray(8 * 1024 * 1024))')
    t.equal(result.isError, true)
    t.match(result.metadata, { memoryExceeded: true, timedOut: false, exitCode: 1 })
    t.match(result.output, /^Memory limit of 64 MB reached after \d+ ms: the snippet was stopped\.[\s\S]*MemoryError/)
  })

  t.test('processes the snippet starts are killed with it', async (t) => {
    const code = 'import subprocess\np = subprocess.Popen(["sleep", "30"])\np.pid'
    const result = await py(code)
    const pid = Number(result.metadata?.result)
    t.ok(pid > 0, `the snippet started sleep (pid ${pid})`)
    for (let i = 0; i < 50 && isRunning(pid); i++) await sleep(20)
    t.notOk(isRunning(pid), 'the leftover child was killed with the process group')
  })

  t.test('abort mid-run kills the process group at once', async (t) => {
    const ctx = toolContext()
    const code = 'import os, subprocess, time\np = subprocess.Popen(["sleep", "30"])\nprint("begun")\nopen("pid", "w").write(str(p.pid))\nos.rename("pid", "started")\ntime.sleep(30)'
    const pending = h.run({ language: 'python', code, timeout_ms: 30_000 }, ctx)
    let work = ''
    while (!work) {
      work = readdirSync(h.tempRoot).map((dir) => join(h.tempRoot, dir, 'work')).find((dir) => existsSync(join(dir, 'started'))) ?? ''
      await sleep(20)
    }
    const sleeper = Number(readFileSync(join(work, 'started'), 'utf8'))
    ctx.controller.abort()
    const result = await pending
    t.match(result.metadata, { aborted: true, timedOut: false })
    for (let i = 0; i < 50 && isRunning(sleeper); i++) await sleep(20)
    t.notOk(isRunning(sleeper), 'its child process was killed too')
    t.match(result.output, /^Aborted after \d+ ms[\s\S]*begun/)
    t.ok((result.metadata?.durationMs as number) < 10_000)
  })

  t.test('every temp dir is removed afterwards', async (t) => {
    t.same(h.leftovers(), [])
  })
})
