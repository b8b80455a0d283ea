import t from 'tap'
import { readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { Secret } from '../../../kernel/index.js'
import { shellFixture } from './test-support.js'

t.test('reports the exit code on the first line; a non-zero exit is not an error', async (t) => {
  const f = shellFixture()
  t.teardown(f.cleanup)
  const ok = await f.run({ command: 'echo hello' })
  t.equal(ok.output, 'Exit code: 0\n\nhello\n')
  t.equal(ok.isError, false)
  t.equal(ok.metadata?.exitCode, 0)
  t.equal(ok.title, '$ echo hello')

  const failed = await f.run({ command: 'echo oops; exit 3', description: 'Fail on purpose' })
  t.match(failed.output, /^Exit code: 3\n\noops\n$/)
  t.equal(failed.isError, false)
  t.equal(failed.metadata?.exitCode, 3)
  t.equal(failed.title, 'Fail on purpose')

  const missing = await f.run({ command: 'no_such_command_here' })
  t.match(missing.output, /^Exit code: 127\n/)
  t.match(missing.output, /no_such_command_here: command not found/)

  const silent = await f.run({ command: 'true' })
  t.equal(silent.output, 'Exit code: 0\n\n(no output)')

  const signalled = await f.run({ command: 'kill -KILL $$' })
  t.match(signalled.output, /^Exit code: none \(killed by signal SIGKILL\)/)
  t.equal(signalled.metadata?.signal, 'SIGKILL')
})

t.test('stdout and stderr interleave in the order they were written', async (t) => {
  const f = shellFixture()
  t.teardown(f.cleanup)
  const result = await f.run({ command: 'for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done; ls /no/such/path' })
  const lines = result.output.split('\n').slice(2, 12)
  t.same(lines, ['out1', 'err1', 'out2', 'err2', 'out3', 'err3', 'out4', 'err4', 'out5', 'err5'])
  t.match(result.output, /ls: cannot access '\/no\/such\/path'/)
  t.match(result.output, /^Exit code: 2/)
})

t.test('output streams as progress before the command completes', async (t) => {
  const f = shellFixture()
  t.teardown(f.cleanup)
  let doneAt = 0
  const result = await f.run({ command: 'echo first; sleep 1; echo second' }).finally(() => (doneAt = Date.now()))
  const first = f.progress.find((p) => p.output?.includes('first'))
  t.ok(first, 'the first line arrived as progress')
  t.ok(first!.at <= doneAt - 700, `the first line came ${doneAt - first!.at} ms before completion`)
  t.notOk(first!.output?.includes('second'), 'the first update only holds what was written so far')
  t.match(first!.message, /^Running for \d+\.\d s/)
  t.equal(f.progress.map((p) => p.output).join(''), 'first\nsecond\n', 'progress carries every new piece once')
  t.match(result.output, /first\nsecond/)
})

t.test('runs in the session workspace with secrets removed from the environment', async (t) => {
  const f = shellFixture({ env: { PLATFORM_EXTRA: 'added', DEPLOY_TOKEN: new Secret('given-on-purpose', 'env:DEPLOY_TOKEN') } })
  t.teardown(f.cleanup)
  const planted = { MY_API_KEY: 'k1', GITHUB_TOKEN: 'k2', CLIENT_SECRET: 'k3', DB_PASSWORD: 'k4', AWS_CREDENTIALS: 'k5', DATABASE_URL: 'postgres://u:p@h/db', REDIS_URL: 'redis://x', SHELL_TEST_PLAIN: 'visible' }
  const saved = Object.fromEntries(Object.keys(planted).map((k) => [k, process.env[k]]))
  Object.assign(process.env, planted)
  t.teardown(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  })
  const result = await f.run({ command: 'pwd -P; echo "PWD=$PWD"; env' })
  const lines = result.output.split('\n')
  t.equal(lines[2], f.workdir, 'the command ran in the workspace')
  t.equal(lines[3], `PWD=${f.workdir}`)
  for (const name of ['MY_API_KEY', 'GITHUB_TOKEN', 'CLIENT_SECRET', 'DB_PASSWORD', 'AWS_CREDENTIALS', 'DATABASE_URL', 'REDIS_URL']) {
    t.notOk(lines.some((l) => l.startsWith(`${name}=`)), `${name} is not passed to the command`)
  }
  t.notMatch(result.output, /k1|k2|k3|k4|k5|u:p@h/)
  t.ok(lines.includes('SHELL_TEST_PLAIN=visible'), 'ordinary variables pass')
  t.ok(lines.includes('PLATFORM_EXTRA=added'), 'configured variables are added')
  t.ok(lines.includes('DEPLOY_TOKEN=given-on-purpose'), 'a configured secret is revealed to the command on purpose')
})

t.test('a huge output is capped for the model with head and tail, the full log kept with mode 0600', async (t) => {
  const f = shellFixture()
  t.teardown(f.cleanup)
  const expected = Array.from({ length: 300_000 }, (_, i) => `${i + 1}\n`).join('')
  t.ok(expected.length > 1_900_000, 'about 2 MB')
  const result = await f.run({ command: 'seq 1 300000' })
  const meta = result.metadata as Record<string, unknown>
  t.equal(meta.truncated, true)
  t.equal(meta.outputChars, expected.length)
  t.equal(result.isError, false)
  const path = meta.fullOutputPath as string
  t.equal(path, `${f.logDir}/ses_test/${path.split('/').pop()}`, 'the log lives under <logDir>/<sessionId>/<callId>.log')
  t.match(path, /\/ses_test\/call_\d+\.log$/)
  t.equal(readFileSync(path, 'utf8'), expected, 'the log holds the full output')
  t.equal(statSync(path).mode & 0o777, 0o600)
  t.equal(statSync(`${f.logDir}/ses_test`).mode & 0o777, 0o700)

  const body = result.output.slice('Exit code: 0\n\n'.length)
  t.ok(body.startsWith('1\n2\n3\n'), 'the head is kept')
  t.ok(body.endsWith('299999\n300000\n'), 'the tail is kept')
  const marker = /\n\n\[\.\.\. ([\d,]+) characters \(([\d,]+) lines\) cut from the middle; the full output is in (\S+) \.\.\.\]\n\n/.exec(body)
  t.ok(marker, 'a marker says what was cut and where the rest is')
  const [head, tail] = body.split(marker![0])
  t.equal(head.length + tail.length, 30_000, 'head and tail fill the configured cap')
  t.equal(Number(marker![1].replaceAll(',', '')), expected.length - 30_000)
  t.equal(marker![3], path)
  t.ok(expected.startsWith(head) && expected.endsWith(tail))
  t.ok(result.output.length < 30_200)
})

t.test('the configured shell is used, and unusable settings give clear errors', async (t) => {
  const f = shellFixture({ shell: '/bin/sh', outputChars: 1_000 })
  t.teardown(f.cleanup)
  const result = await f.run({ command: 'echo "$0"; echo err >&2' })
  t.equal(result.output, 'Exit code: 0\n\n/bin/sh\nerr\n')

  const broken = shellFixture({ shell: '/no/such/shell' })
  t.teardown(broken.cleanup)
  await t.rejects(broken.run({ command: 'true' }), { code: 'TOOL_SHELL_SPAWN_FAILED', message: /\/no\/such\/shell/ })
  await t.rejects(f.run({ command: 'true' }, { workdir: `${f.workdir}/missing` }), { code: 'TOOL_SHELL_WORKDIR_MISSING' })
})

t.test('a log folder that is a symlink or a file is refused with a clear error', async (t) => {
  const f = shellFixture()
  t.teardown(f.cleanup)
  symlinkSync(f.workdir, `${f.logDir}/link`)
  writeFileSync(`${f.logDir}/file`, '')
  const viaLink = shellFixture({ logDir: `${f.logDir}/link` })
  const onFile = shellFixture({ logDir: `${f.logDir}/file` })
  t.teardown(() => [viaLink, onFile].forEach((x) => x.cleanup()))
  await t.rejects(viaLink.run({ command: 'true' }), { code: 'TOOL_SHELL_LOG_DIR_UNSAFE', message: /set tool-shell\.logDir/ })
  await t.rejects(onFile.run({ command: 'true' }), { code: 'TOOL_SHELL_LOG_FAILED', message: /Set tool-shell\.logDir/ })
})
