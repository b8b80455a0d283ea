import { readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { createEditFileTool } from './edit-file.js'
import { closestLines, linesAt, occurrences, similarity } from './edit-match.js'
import { failure, harness, type Harness } from './test-helpers.js'

interface EditArgs {
  path: string
  old_string: string
  new_string: string
  replace_all?: boolean
}
const edit = (h: Harness, args: EditArgs, options = {}) => createEditFileTool(h.options(options)).execute(args, h.ctx)
const SOURCE = 'function greet(name) {\n  return "hi " + name\n}\n\nfunction part() {\n  return "bye"\n}\n'

t.test('replaces a unique piece of text, recording the file before writing', async (t) => {
  const h = harness(t)
  const path = h.file('src/greet.js', SOURCE)
  const result = await edit(h, { path: 'src/greet.js', old_string: '  return "bye"', new_string: '  return "bye $& $1"' })
  t.equal(result.output, 'Edited src/greet.js: replaced 1 occurrence (at line 6).')
  t.equal(readFileSync(path, 'utf8'), SOURCE.replace('"bye"', () => '"bye $& $1"'), 'replacement text is literal ($& kept)')
  t.same(h.changes, [{ path, contentBefore: SOURCE }])
  t.match(result.metadata, { replacements: 1, lines: [6] })
})

t.test('text that is not there fails clearly and shows the closest lines', async (t) => {
  const h = harness(t)
  const path = h.file('greet.js', SOURCE)
  const missing = await failure(edit(h, { path: 'greet.js', old_string: 'return "hello " + name', new_string: 'x' }))
  t.equal(missing.code, 'TOOL_FS_EDIT_NOT_FOUND')
  t.match(missing.message, /old_string was not found in greet\.js\.\nClosest lines in the file:\n {4}2\| {3}return "hi " \+ name/)
  t.match(missing.message, /copy old_string exactly/)
  const spacing = await failure(edit(h, { path: 'greet.js', old_string: 'function  greet(name)  {\n    return', new_string: 'x' }))
  t.match(spacing.message, /exists with different whitespace or indentation/)
  const prefixed = await failure(edit(h, { path: 'greet.js', old_string: '    6|   return "bye"', new_string: 'x' }))
  t.match(prefixed.message, /line-number prefixes that read_file adds/)
  t.equal(readFileSync(path, 'utf8'), SOURCE, 'file unchanged')
  t.same(h.changes, [], 'nothing recorded for failed edits')
})

t.test('text found more than once needs more context or replace_all', async (t) => {
  const h = harness(t)
  const path = h.file('greet.js', SOURCE)
  const ambiguous = await failure(edit(h, { path: 'greet.js', old_string: 'return', new_string: 'yield' }))
  t.equal(ambiguous.code, 'TOOL_FS_EDIT_NOT_UNIQUE')
  t.match(ambiguous.message, /occurs 2 times in greet\.js \(lines 2, 6\)\. Add surrounding lines .* or set replace_all to true/)
  t.equal(readFileSync(path, 'utf8'), SOURCE)
  const all = await edit(h, { path: 'greet.js', old_string: 'return', new_string: 'yield', replace_all: true })
  t.equal(all.output, 'Edited greet.js: replaced 2 occurrences (at lines 2, 6).')
  t.equal(readFileSync(path, 'utf8'), SOURCE.replaceAll('return', 'yield'))
  t.equal(h.changes.length, 1)
})

t.test('a file with CRLF line ends accepts an old_string written with LF and keeps CRLF', async (t) => {
  const h = harness(t)
  const path = h.file('win.txt', 'a\r\nb\r\nc\r\n')
  await edit(h, { path: 'win.txt', old_string: 'a\nb', new_string: 'A\nB' })
  t.equal(readFileSync(path, 'utf8'), 'A\r\nB\r\nc\r\n')
})

t.test('no-op edits, missing files, binary files and size limits are refused', async (t) => {
  const h = harness(t)
  h.file('a.txt', 'abc')
  h.file('bin.dat', Buffer.from([1, 0, 2]))
  h.file('big.txt', 'z'.repeat(5000))
  t.equal((await failure(edit(h, { path: 'a.txt', old_string: 'a', new_string: 'a' }))).code, 'TOOL_FS_EDIT_NO_CHANGE')
  const missing = await failure(edit(h, { path: 'nope.txt', old_string: 'a', new_string: 'b' }))
  t.equal(missing.code, 'TOOL_FS_NOT_FOUND')
  t.match(missing.message, /write_file to create a new file/)
  t.equal((await failure(edit(h, { path: 'bin.dat', old_string: 'a', new_string: 'b' }))).code, 'TOOL_FS_BINARY_FILE')
  const big = await failure(edit(h, { path: 'big.txt', old_string: 'z', new_string: 'y' }, { maxEditBytes: 4096 }))
  t.equal(big.code, 'TOOL_FS_FILE_TOO_LARGE')
  t.same(h.changes, [])
})

t.test('editing through a symlink that escapes the workspace asks first', async (t) => {
  const h = harness(t)
  writeFileSync(join(h.outside, 'x.txt'), 'outside')
  symlinkSync(join(h.outside, 'x.txt'), join(h.workspace, 'x.txt'))
  h.answer = 'reject'
  t.equal((await failure(edit(h, { path: 'x.txt', old_string: 'outside', new_string: 'pwned' }))).code, 'PERMISSION_REJECTED')
  t.equal(readFileSync(join(h.outside, 'x.txt'), 'utf8'), 'outside')
  h.answer = 'allow'
  await edit(h, { path: 'x.txt', old_string: 'outside', new_string: 'edited' })
  t.equal(readFileSync(join(h.outside, 'x.txt'), 'utf8'), 'edited')
  t.same(h.changes.map((change) => change.path), [join(h.outside, 'x.txt')], 'the real path is recorded')
  t.equal(h.asks[0].title, `Edit ${join(h.outside, 'x.txt')} (outside the workspace)`)
})

t.test('matching helpers', async (t) => {
  t.same(occurrences('aaaa', 'aa'), [0, 2], 'non-overlapping, like split')
  t.same(linesAt('a\nb\nc\nd', [0, 2, 3, 6]), [1, 2, 2, 4])
  t.equal(similarity('return x', 'return x'), 1)
  t.ok(similarity('return "hi"', 'return "hello"') > 0.5)
  t.ok(similarity('abc', 'xyz') === 0)
  t.same(closestLines('alpha\nbeta\ngamma', 'zzz'), [], 'nothing close, nothing shown')
})
