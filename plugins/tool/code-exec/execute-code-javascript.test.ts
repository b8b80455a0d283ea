import t from 'tap'
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { harness, toolContext } from './test-helpers.js'

const h = harness({ timeoutMs: 5_000, memoryLimitMb: 64, outputCapChars: 1_000 })
t.teardown(() => h.close())
const js = (code: string, extra: Record<string, unknown> = {}) => h.run({ language: 'javascript', code, ...extra })

t.test('returns stdout and the last expression as JSON', async (t) => {
  const result = await js('console.log("hello"); const o = { a: [1, 2], b: "x" }; o')
  t.equal(result.isError, false)
  t.match(result.metadata, { exitCode: 0, timedOut: false, result: '{"a":[1,2],"b":"x"}' })
  t.match(result.output, /^Exit code 0 after \d+ ms\.\n--- stdout ---\nhello\n--- result \(JSON\) ---\n\{"a":\[1,2\],"b":"x"\}$/)
  t.equal(result.title, 'javascript snippet')
})

t.test('a global `result` wins, awaited promises and top-level await work', async (t) => {
  t.equal((await js('result = 7; "ignored"')).metadata?.result, '7')
  t.equal((await js('Promise.resolve(40).then((n) => n + 2)')).metadata?.result, '42')
  t.equal((await js('const v = await new Promise((r) => setTimeout(() => r("late"), 20)); result = v')).metadata?.result, '"late"')
  const none = await js('console.log("only output")')
  t.equal(none.metadata?.result, null)
  t.notMatch(none.output, /result/)
  const odd = await js('const c = { n: 1n }; c.self = c; c')
  t.match(odd.metadata?.result, /^"<ref \*1> \{ n: 1n, self: \[Circular \*1\] \}"$/, 'non-JSON values come back as an inspected string')
})

t.test('a thrown error fails with the stack of the snippet only', async (t) => {
  const result = await js('const x = 1\nfunction boom() { throw new TypeError("bad input") }\nboom()')
  t.equal(result.isError, true)
  t.match(result.metadata, { exitCode: 1, timedOut: false, memoryExceeded: false })
  t.match(result.output, /Failed with exit code 1 after \d+ ms; the error is in stderr below\./)
  t.match(result.output, /TypeError: bad input\n\s+at boom \(snippet\.js:2:25\)\n\s+at snippet\.js:3:1/)
  t.notMatch(result.output, /runner\.cjs|node:internal|node:vm/)
  const syntax = await js('let = = 2')
  t.match(syntax.output, /SyntaxError/)
  t.equal(syntax.isError, true)
  const later = await js('setTimeout(() => { throw new Error("async boom") }, 10); "sync part"')
  t.equal(later.isError, true)
  t.match(later.output, /Error: async boom/)
})

t.test('an infinite loop is killed at the time limit', async (t) => {
  const started = Date.now()
  const result = await js('console.log("spinning"); while (true) {}', { timeout_ms: 1_500 })
  const elapsed = Date.now() - started
  t.equal(result.isError, true)
  t.match(result.metadata, { timedOut: true, exitCode: null, exitSignal: 'SIGKILL' })
  t.ok((result.metadata?.durationMs as number) >= 1_500, 'ran until the limit')
  t.ok(elapsed < 6_500, `returned promptly (${elapsed} ms)`)
  t.match(result.output, /^Timed out: the time limit of 1500 ms was reached/)
  t.match(result.output, /--- stdout ---\nspinning/)
})

t.test('a heap blow-up is stopped by the memory limit and reported clearly', async (t) => {
  const result = await js('const keep = []; while (true) keep.push({ n: Math.random(), s: "x".repeat(64) + Math.random() })')
  t.equal(result.isError, true)
  t.match(result.metadata, { memoryExceeded: true, timedOut: false })
  t.match(result.output, /^Memory limit of 64 MB reached after \d+ ms: the snippet was stopped\./)
  t.match(result.output, /JavaScript heap out of memory/)
  t.notMatch(result.output, /Last few GCs|Native stack trace|0x[0-9a-f]{6}/, 'the V8 dump is left out')
  const buffers = await js('Buffer.alloc(1024 * 1024 * 1024).length')
  t.match(buffers.metadata, { memoryExceeded: true })
  t.match(buffers.output, /Array buffer allocation failed/)
})

t.test('files outside the temp dir cannot be read; its own work dir is writable', async (t) => {
  const outside = mkdtempSync(join(tmpdir(), 'code-exec-outside-'))
  t.teardown(() => rmSync(outside, { recursive: true, force: true }))
  const secretFile = join(outside, 'secret.txt')
  writeFileSync(secretFile, 'TOP-SECRET-VALUE')
  const read = await js(`require('node:fs').readFileSync(${JSON.stringify(secretFile)}, 'utf8')`)
  t.equal(read.isError, true)
  t.match(read.output, /ERR_ACCESS_DENIED, permission: FileSystemRead, resource: .*secret\.txt/)
  t.match(read.output, /does not allow/)
  t.notMatch(read.output, /TOP-SECRET-VALUE/)
  const server = await js(`require('node:fs').readdirSync(${JSON.stringify(import.meta.dirname)})`)
  t.match(server.output, /ERR_ACCESS_DENIED/, "the server's own files are out of reach")
  const up = await js(`require('node:fs').readdirSync('../..')`)
  t.match(up.output, /ERR_ACCESS_DENIED/, 'relative escapes are refused too')
  const link = await js(`require('node:fs').symlinkSync(${JSON.stringify(secretFile)}, 'link'); require('node:fs').readFileSync('link', 'utf8')`)
  t.match(link.output, /ERR_ACCESS_DENIED/, 'symlinks to the outside cannot be made')
  const own = await js(`const fs = require('node:fs'); fs.writeFileSync('notes.txt', 'mine'); [process.cwd() === process.env.HOME, fs.readFileSync('notes.txt', 'utf8')]`)
  t.equal(own.metadata?.result, '[true,"mine"]')
})

t.test('child processes, workers and signals to other processes are refused', async (t) => {
  const exec = await js(`require('node:child_process').execSync('echo spawned').toString()`)
  t.equal(exec.isError, true)
  t.match(exec.output, /ERR_ACCESS_DENIED, permission: ChildProcess/)
  t.notMatch(exec.output, /spawned\n/)
  const spawn = await js(`require('node:child_process').spawn('/bin/sh', ['-c', 'true'])`)
  t.match(spawn.output, /ERR_ACCESS_DENIED/)
  const worker = await js(`new (require('node:worker_threads').Worker)('1', { eval: true })`)
  t.match(worker.output, /ERR_ACCESS_DENIED, permission: WorkerThreads/)
  const kill = await js('process.kill(process.ppid, "SIGTERM")')
  t.match(kill.output, /process\.kill is disabled in execute_code/)
})

t.test('the environment holds only PATH, HOME and LANG', async (t) => {
  process.env.CODE_EXEC_TEST_SECRET = 'server-only-value'
  t.teardown(() => delete process.env.CODE_EXEC_TEST_SECRET)
  const result = await js('[Object.keys(process.env).sort(), process.env.HOME === process.cwd(), process.env.PATH.length > 0]')
  t.equal(result.metadata?.result, '[["HOME","LANG","PATH"],true,true]')
})

t.test('long stdout and stderr are cut in the middle with a marker', async (t) => {
  const result = await js('for (let i = 0; i < 5000; i++) console.log("line " + i); console.error("E".repeat(3000))')
  t.match(result.metadata, { stdoutTruncated: true, stderrTruncated: true, exitCode: 0 })
  t.match(result.output, /--- stdout \(too long: the middle was cut\) ---\nline 0\nline 1\n/)
  t.match(result.output, /\[\.\.\. \d+ characters omitted \.\.\.\]/)
  t.match(result.output, /line 4999$/m)
  t.ok(result.output.length < 3_000, `output stays near the caps (${result.output.length})`)
})

t.test('abort mid-run kills the process at once', async (t) => {
  const ctx = toolContext()
  const started = Date.now()
  const pending = h.run({ language: 'javascript', code: 'console.log("begun"); require("node:fs").writeFileSync("started", "1"); while (true) {}', timeout_ms: 30_000 }, ctx)
  while (!readdirSync(h.tempRoot).some((dir) => existsSync(join(h.tempRoot, dir, 'work', 'started')))) await sleep(20)
  ctx.controller.abort()
  const result = await pending
  t.ok(Date.now() - started < 10_000, 'did not wait for the time limit')
  t.equal(result.isError, true)
  t.match(result.metadata, { aborted: true, timedOut: false })
  t.match(result.output, /^Aborted after \d+ ms: the process and everything it started were killed\./)
  t.match(result.output, /begun/)
  const before = await h.run({ language: 'javascript', code: '1' }, (() => { const c = toolContext(); c.controller.abort(); return c })())
  t.match(before.metadata, { aborted: true })
})

t.test('every temp dir is removed afterwards, also after timeouts', async (t) => {
  const result = await js('process.cwd()')
  const cwd = JSON.parse(result.metadata?.result as string) as string
  t.ok(cwd.startsWith(h.tempRoot), `ran in a temp dir under the configured root (${cwd})`)
  t.notOk(existsSync(cwd), 'the dir is gone')
  t.same(h.leftovers(), [], 'nothing left in the temp root')
})
