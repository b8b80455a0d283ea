import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { PlatformError } from '../../../kernel/index.js'
import type { GrepQuery } from './grep-engine.js'
import { findOnPath, grepWithRipgrep } from './grep-rg.js'
import { createGrepTool } from './grep.js'
import { failure, harness, type Harness } from './test-helpers.js'

interface GrepArgs {
  pattern: string
  path?: string
  include?: string | string[]
  exclude?: string | string[]
  case_insensitive?: boolean
}

const rgOnPath = await findOnPath('rg')
/** Every case runs on the Node engine and on 'auto' (ripgrep when this machine has it). */
const ENGINES = [
  { ripgrep: 'never' as const, expected: 'node' },
  { ripgrep: 'auto' as const, expected: rgOnPath === undefined ? 'node' : 'rg' },
]

function tree(h: Harness): void {
  h.file('src/a.ts', 'const alpha = 1\nconst beta = 2\n')
  h.file('src/b/c.ts', 'alpha()\r\n')
  h.file('src-x.ts', 'alpha\n')
  h.file('README.md', 'Alpha docs\nalpha here\n')
  h.file('.hidden/h.ts', 'alpha hidden\n')
  h.file('node_modules/m/index.js', 'alpha\n')
  h.file('.git/config', 'alpha\n')
  h.file('bin.dat', Buffer.from('alpha\0\x01\x02alpha\n', 'latin1'))
  h.file('.env', 'alpha=secret\n')
  h.file('.env.example', 'alpha=\n')
  writeFileSync(join(h.outside, 'o.ts'), 'alpha outside\n')
  symlinkSync(h.outside, join(h.workspace, 'linked'))
  symlinkSync(join(h.outside, 'o.ts'), join(h.workspace, 'linked.ts'))
}

for (const engine of ENGINES) {
  const grep = (h: Harness, args: GrepArgs, options = {}) => createGrepTool(h.options({ ripgrep: engine.ripgrep, ...options })).execute(args, h.ctx)

  t.test(`[${engine.ripgrep}] path:line: text in path order; skips binary, .git, node_modules, .env and symlinks`, async (t) => {
    const h = harness(t)
    tree(h)
    const result = await grep(h, { pattern: 'alpha' })
    t.equal(
      result.output,
      ['.env.example:1: alpha=', '.hidden/h.ts:1: alpha hidden', 'README.md:2: alpha here', 'src/a.ts:1: const alpha = 1', 'src/b/c.ts:1: alpha()', 'src-x.ts:1: alpha'].join('\n'),
    )
    t.match(result.metadata, { engine: engine.expected, matches: 6, truncated: false })
    t.same(h.asks, [], 'nothing outside was touched')
    const insensitive = await grep(h, { pattern: 'ALPHA d', case_insensitive: true })
    t.equal(insensitive.output, 'README.md:1: Alpha docs')
  })

  t.test(`[${engine.ripgrep}] include and exclude globs`, async (t) => {
    const h = harness(t)
    tree(h)
    t.equal((await grep(h, { pattern: 'alpha', include: '*.md' })).output, 'README.md:2: alpha here')
    t.equal((await grep(h, { pattern: 'alpha', include: ['src/**/*.ts'] })).output, 'src/a.ts:1: const alpha = 1\nsrc/b/c.ts:1: alpha()')
    const excluded = await grep(h, { pattern: 'alpha', include: '*.ts', exclude: ['c.ts', '.hidden'] })
    t.equal(excluded.output, 'src/a.ts:1: const alpha = 1\nsrc-x.ts:1: alpha')
    t.equal((await grep(h, { pattern: 'alpha', path: 'src', exclude: 'b' })).output, 'src/a.ts:1: const alpha = 1')
  })

  t.test(`[${engine.ripgrep}] a single file, a subdirectory, no match`, async (t) => {
    const h = harness(t)
    tree(h)
    t.equal((await grep(h, { pattern: 'beta', path: 'src/a.ts' })).output, 'src/a.ts:2: const beta = 2')
    t.equal((await grep(h, { pattern: 'alpha', path: 'src/b' })).output, 'src/b/c.ts:1: alpha()')
    t.equal((await grep(h, { pattern: 'gamma' })).output, 'No matches for /gamma/ in the workspace.')
    t.equal((await grep(h, { pattern: 'gamma', path: 'src' })).output, 'No matches for /gamma/ in src.')
  })

  t.test(`[${engine.ripgrep}] results are capped, long lines cut`, async (t) => {
    const h = harness(t)
    h.file('many.txt', Array.from({ length: 50 }, (_, i) => `hit ${i}`).join('\n'))
    h.file('wide.txt', `hit ${'w'.repeat(300)}\n`)
    const capped = await grep(h, { pattern: 'hit' }, { grepLimit: 3 })
    t.equal(capped.output, 'many.txt:1: hit 0\nmany.txt:2: hit 1\nmany.txt:3: hit 2\n\n(Showing the first 3 matches; there are more. Narrow the pattern, the path or the include globs to see the rest.)')
    t.equal(capped.metadata?.truncated, true)
    const wide = await grep(h, { pattern: 'w{300}' }, { grepLineChars: 80 })
    t.equal(wide.output, `wide.txt:1: hit ${'w'.repeat(76)} … [line cut]`)
  })

  t.test(`[${engine.ripgrep}] outside paths ask; .env paths and bad regexes are refused`, async (t) => {
    const h = harness(t)
    tree(h)
    const outside = await grep(h, { pattern: 'alpha', path: '../outside' })
    t.equal(outside.output, `${join(h.outside, 'o.ts')}:1: alpha outside`)
    t.equal(h.asks.length, 1)
    h.answer = 'reject'
    t.equal((await failure(grep(h, { pattern: 'alpha', path: 'linked' }))).code, 'PERMISSION_REJECTED', 'symlink escape asks')
    t.equal((await failure(grep(h, { pattern: 'alpha', path: '.env' }))).code, 'TOOL_FS_SENSITIVE_FILE')
    const bad = await failure(grep(h, { pattern: 'foo(' }))
    t.equal(bad.code, 'TOOL_FS_INVALID_PATTERN')
    t.match(bad.message, /not a valid regular expression.*Escape special characters/)
  })

  t.test(`[${engine.ripgrep}] JavaScript-only regex syntax (lookbehind) works`, async (t) => {
    const h = harness(t)
    tree(h)
    t.equal((await grep(h, { pattern: '(?<=const )alpha' })).output, 'src/a.ts:1: const alpha = 1')
  })
}

t.test('abort stops a big Node grep midway, promptly', async (t) => {
  const h = harness(t)
  const body = `${'nothing to see here\n'.repeat(200)}`
  for (let i = 0; i < 1000; i++) h.file(`d${i % 10}/f${i}.txt`, body)
  const tool = createGrepTool(h.options({ ripgrep: 'never' }))
  const reason = new PlatformError('TURN_ABORTED', 'The turn was aborted.')
  let abortedAt = 0
  h.ctx.reportProgress = (progress) => {
    h.progress.push(progress.message ?? '')
    if (abortedAt === 0) {
      abortedAt = performance.now()
      h.controller.abort(reason)
    }
  }
  const error = await failure(tool.execute({ pattern: 'needle' }, h.ctx))
  t.equal(error, reason, 'rejects with the abort reason')
  t.ok(performance.now() - abortedAt < 1000, 'within a second of the abort')
  t.same(h.progress, ['Searched 100 files'], 'no file searched after the abort')
})

/** A stand-in `rg` script (so the ripgrep path is tested on machines without ripgrep). */
function fakeRipgrep(h: Harness, script: string): string {
  const path = join(h.root, 'fake-rg')
  writeFileSync(path, `#!/bin/sh\n${script}\n`)
  chmodSync(path, 0o755)
  return path
}

function query(h: Harness, signal: AbortSignal, limit = 10): GrepQuery {
  return { pattern: 'x', regex: /x/, ignoreCase: false, root: h.workspace, isFile: false, include: [], exclude: [], limit, maxLineChars: 100, allowEnvFiles: false, signal }
}

t.test('rg --json output is parsed (text and base64 paths), .env hits dropped, the cap kills rg', async (t) => {
  const h = harness(t)
  const line = (path: object, n: number, text: string) => JSON.stringify({ type: 'match', data: { path, line_number: n, lines: { text }, submatches: [] } })
  const lines = [
    JSON.stringify({ type: 'begin', data: { path: { text: './a.ts' } } }),
    line({ text: './a.ts' }, 3, 'x = 1\n'),
    line({ bytes: Buffer.from('./odd name.ts').toString('base64') }, 7, 'x\r\n'),
    line({ text: './.env' }, 1, 'x=secret\n'),
    line({ text: './b.ts' }, 1, 'x again\n'),
  ]
  const printf = `printf '%s\\n' ${lines.map((l) => `'${l}'`).join(' ')}`
  const outcome = await grepWithRipgrep(fakeRipgrep(h, printf), query(h, new AbortController().signal))
  t.same(outcome, {
    matches: [
      { file: join(h.workspace, 'a.ts'), line: 3, text: 'x = 1' },
      { file: join(h.workspace, 'odd name.ts'), line: 7, text: 'x' },
      { file: join(h.workspace, 'b.ts'), line: 1, text: 'x again' },
    ],
    truncated: false,
    engine: 'rg',
  })
  const capped = await grepWithRipgrep(fakeRipgrep(h, `${printf}\nexec sleep 30`), query(h, new AbortController().signal, 2))
  t.equal(capped === 'fallback' ? 'fallback' : capped.truncated, true, 'the third match marks it truncated without waiting for rg to end')
  t.equal(await grepWithRipgrep(fakeRipgrep(h, 'echo "regex parse error" >&2; exit 2'), query(h, new AbortController().signal)), 'fallback')
})

t.test('abort kills a running rg promptly', async (t) => {
  const h = harness(t)
  const pidFile = join(h.root, 'rg.pid')
  const rg = fakeRipgrep(h, `echo $$ > '${pidFile}'\nexec sleep 30`)
  const controller = new AbortController()
  const running = grepWithRipgrep(rg, query(h, controller.signal))
  while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8').trim() === '') await new Promise((resolve) => setTimeout(resolve, 10))
  const pid = Number(readFileSync(pidFile, 'utf8'))
  const abortedAt = performance.now()
  controller.abort()
  await t.rejects(running, { code: 'TOOL_FS_ABORTED' })
  t.ok(performance.now() - abortedAt < 1000, 'rejected within a second')
  t.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'the rg process is gone')
})

t.test('findOnPath finds an executable and ignores non-executables', async (t) => {
  const h = harness(t)
  const bin = join(h.root, 'bin')
  mkdirSync(bin)
  writeFileSync(join(bin, 'rg'), '#!/bin/sh\n')
  writeFileSync(join(h.outside, 'rg'), '')
  t.equal(await findOnPath('rg', `${h.outside}:${bin}`), undefined, 'not executable yet')
  chmodSync(join(bin, 'rg'), 0o755)
  t.equal(await findOnPath('rg', `${h.outside}::${bin}`), join(bin, 'rg'))
  t.equal(await findOnPath('rg', ''), undefined)
})
