import { mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { createGlobTool } from './glob.js'
import { failure, harness, type Harness } from './test-helpers.js'

const glob = (h: Harness, args: { pattern: string; path?: string }, options = {}) => createGlobTool(h.options(options)).execute(args, h.ctx)

/** Files with distinct modification times: later in the list = newer. */
function files(h: Harness, paths: string[]): void {
  paths.forEach((path, i) => {
    const file = h.file(path, path)
    const time = new Date(Date.UTC(2024, 0, 1, 0, i))
    utimesSync(file, time, time)
  })
}

t.test('matches relative to the workspace, newest first, skipping .git and node_modules', async (t) => {
  const h = harness(t)
  files(h, ['src/old.ts', 'src/a/deep.ts', 'README.md', '.hidden/x.ts', 'node_modules/m/index.ts', '.git/hooks/h.ts', 'src/new.ts'])
  const result = await glob(h, { pattern: '**/*.ts' })
  t.equal(result.output, ['src/new.ts', '.hidden/x.ts', 'src/a/deep.ts', 'src/old.ts'].join('\n'))
  t.match(result.metadata, { matches: 4, shown: 4 })
  t.equal((await glob(h, { pattern: '*.md' })).output, 'README.md', '* stays in one directory')
  t.equal((await glob(h, { pattern: 'node_modules/**/*.ts' })).output, 'node_modules/m/index.ts', 'named ignored dirs are searched')
})

t.test('path narrows the search; output paths stay relative to the workspace', async (t) => {
  const h = harness(t)
  files(h, ['pkg/a/one.json', 'pkg/two.json', 'other/three.json'])
  t.equal((await glob(h, { pattern: '**/*.json', path: 'pkg' })).output, 'pkg/two.json\npkg/a/one.json')
  t.equal((await glob(h, { pattern: '*.{json,yaml}', path: 'other' })).output, 'other/three.json')
})

t.test('results are capped and say so', async (t) => {
  const h = harness(t)
  files(h, Array.from({ length: 10 }, (_, i) => `f${i}.txt`))
  const result = await glob(h, { pattern: '*.txt' }, { globLimit: 3 })
  t.equal(result.output, 'f9.txt\nf8.txt\nf7.txt\n\n(Showing the 3 most recently modified of 10 matches. Narrow the pattern or the path to see the rest.)')
})

t.test('no match, bad patterns and bad paths', async (t) => {
  const h = harness(t)
  h.file('a.txt', '')
  t.equal((await glob(h, { pattern: '**/*.rs' })).output, 'No files match "**/*.rs" in the workspace.')
  for (const pattern of ['../**/*.txt', 'src/../../x', '/etc/*']) {
    const error = await failure(glob(h, { pattern }))
    t.equal(error.code, 'TOOL_FS_INVALID_PATTERN', pattern)
    t.match(error.message, /put the directory in `path`/)
  }
  t.equal((await failure(glob(h, { pattern: '*', path: 'a.txt' }))).code, 'TOOL_FS_NOT_A_DIRECTORY')
  t.equal((await failure(glob(h, { pattern: '*', path: 'missing' }))).code, 'TOOL_FS_NOT_FOUND')
})

t.test('outside the workspace: path asks, and symlinks inside the workspace are not followed', async (t) => {
  const h = harness(t)
  writeFileSync(join(h.outside, 'secret.key'), 'k')
  mkdirSync(join(h.outside, 'sub'))
  writeFileSync(join(h.outside, 'sub', 'deep.key'), 'k')
  symlinkSync(h.outside, join(h.workspace, 'linked-dir'))
  symlinkSync(join(h.outside, 'secret.key'), join(h.workspace, 'linked.key'))
  t.equal((await glob(h, { pattern: '**/*.key' })).output, 'No files match "**/*.key" in the workspace.')
  t.same(h.asks, [])
  const outside = await glob(h, { pattern: '**/*.key', path: '../outside' })
  t.equal(outside.output.split('\n').sort().join('\n'), [join(h.outside, 'secret.key'), join(h.outside, 'sub/deep.key')].join('\n'), 'absolute paths when outside')
  t.equal(h.asks.length, 1)
  t.equal(h.asks[0].reason, 'outside_workspace')
})

t.test('an aborted glob stops', async (t) => {
  const h = harness(t)
  h.file('a.txt', '')
  h.controller.abort()
  t.equal((await failure(glob(h, { pattern: '**/*' }))).code, 'TOOL_FS_ABORTED')
})
