import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { createListDirTool } from './list-dir.js'
import { failure, harness, type Harness } from './test-helpers.js'

const list = (h: Harness, args: { path?: string; include_ignored?: boolean } = {}, options = {}) =>
  createListDirTool(h.options(options)).execute(args, h.ctx)

t.test('lists entries with type and size, directories first, each sorted by name', async (t) => {
  const h = harness(t)
  h.file('b.txt', 'bb')
  h.file('A.md', 'a'.repeat(2048))
  h.file('src/index.ts', 'x')
  mkdirSync(join(h.workspace, 'docs'))
  symlinkSync('b.txt', join(h.workspace, 'link'))
  const result = await list(h)
  t.equal(result.output, ['./ (5 entries)', 'dir   docs/', 'dir   src/', 'file  A.md  2.0 KiB', 'file  b.txt  2 B', 'link  link -> b.txt'].join('\n'))
  t.equal((await list(h, { path: 'src' })).output, 'src/ (1 entry)\nfile  index.ts  1 B')
  t.equal((await list(h, { path: 'docs' })).output, 'docs/ (0 entries)\n(empty directory)')
})

t.test('.git and node_modules are left out unless asked', async (t) => {
  const h = harness(t)
  h.file('.git/HEAD', 'ref')
  h.file('node_modules/x/index.js', '')
  h.file('.gitignore', 'node_modules')
  const hidden = await list(h)
  t.equal(hidden.output, './ (1 entry)\nfile  .gitignore  12 B\n(Not listed: .git, node_modules; set include_ignored to true to list them.)')
  const all = await list(h, { include_ignored: true })
  t.match(all.output, /^\.\/ \(3 entries\)\ndir   \.git\/\ndir   node_modules\/\nfile  \.gitignore/)
})

t.test('long listings are capped and say how to see the rest', async (t) => {
  const h = harness(t)
  for (let i = 0; i < 12; i++) h.file(`f${String(i).padStart(2, '0')}.txt`, '')
  const result = await list(h, {}, { listLimit: 5 })
  const lines = result.output.split('\n')
  t.equal(lines.length, 7)
  t.equal(lines[5], 'file  f04.txt  0 B')
  t.equal(lines[6], '(Showing 5 of 12 entries. List a subdirectory, or use glob with a narrower pattern, to see the rest.)')
  t.match(result.metadata, { entries: 12, shown: 5 })
})

t.test('files and missing paths are clear errors', async (t) => {
  const h = harness(t)
  h.file('a.txt', '')
  const file = await failure(list(h, { path: 'a.txt' }))
  t.equal(file.code, 'TOOL_FS_NOT_A_DIRECTORY')
  t.match(file.message, /read_file/)
  t.equal((await failure(list(h, { path: 'nope' }))).code, 'TOOL_FS_NOT_FOUND')
})

t.test('listing outside the workspace asks (traversal, absolute, symlinked directory)', async (t) => {
  const h = harness(t)
  writeFileSync(join(h.outside, 'o.txt'), 'o')
  symlinkSync(h.outside, join(h.workspace, 'ext'))
  t.match((await list(h, { path: '..' })).output, /dir {3}outside\/\ndir {3}ws\//)
  t.match((await list(h, { path: h.outside })).output, /file  o\.txt/)
  h.answer = 'reject'
  t.equal((await failure(list(h, { path: 'ext' }))).code, 'PERMISSION_REJECTED')
  t.same(h.asks.map((ask) => ask.patterns), [[h.root, join(h.root, '**')], [h.outside, join(h.outside, '**')], [h.outside, join(h.outside, '**')]])
})
