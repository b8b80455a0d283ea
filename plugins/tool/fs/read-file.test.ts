import { execFileSync } from 'node:child_process'
import { symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { PlatformError } from '../../../kernel/index.js'
import { createEditFileTool } from './edit-file.js'
import { createGrepTool } from './grep.js'
import { createReadFileTool } from './read-file.js'
import { createWriteFileTool } from './write-file.js'
import { failure, harness, type Harness } from './test-helpers.js'

const read = (h: Harness, args: { path: string; offset?: number; limit?: number }, options = {}) =>
  createReadFileTool(h.options(options)).execute(args, h.ctx)

t.test('returns numbered lines and says where the file ends', async (t) => {
  const h = harness(t)
  h.file('a.txt', 'one\ntwo\r\nthree\n')
  const result = await read(h, { path: 'a.txt' })
  t.equal(result.output, '    1| one\n    2| two\n    3| three\n\n(End of file: 3 lines, 15 B.)')
  t.equal(result.title, 'a.txt')
  t.match(result.metadata, { startLine: 1, endLine: 3, truncated: false })
})

t.test('offset and limit read a range and tell how to continue', async (t) => {
  const h = harness(t)
  h.file('n.txt', Array.from({ length: 50 }, (_, i) => `line ${i + 1}`).join('\n'))
  const result = await read(h, { path: 'n.txt', offset: 10, limit: 3 })
  t.match(result.output, /^ {3}10\| line 10\n {3}11\| line 11\n {3}12\| line 12\n\n\(Showing lines 10-12 of n\.txt/)
  t.match(result.output, /line limit was reached.*offset=13/)
  const tail = await read(h, { path: 'n.txt', offset: 49 })
  t.match(tail.output, /^ {3}49\| line 49\n {3}50\| line 50\n\n\(End of file: 50 lines/)
  const past = await failure(read(h, { path: 'n.txt', offset: 51 }))
  t.equal(past.code, 'TOOL_FS_OFFSET_PAST_END')
  t.match(past.message, /has 50 lines/)
})

t.test('a huge file is read in windows of maxReadBytes, each pointing at the next', async (t) => {
  const h = harness(t)
  const line = 'x'.repeat(99)
  h.file('big.txt', `${line}\n`.repeat(30_000)) // about 3 MB
  const first = await read(h, { path: 'big.txt' }, { defaultReadLines: 100_000 })
  t.ok(Buffer.byteLength(first.output) <= 256 * 1024 + 400, 'output stays within the 256 KiB window')
  const next = Number(/offset=(\d+)/.exec(first.output)?.[1])
  t.match(first.output, /256\.0 KiB read window is full/)
  t.ok(next > 2000 && next < 3000, `continues at line ${next}`)
  t.equal(first.metadata?.truncated, true)
  const second = await read(h, { path: 'big.txt', offset: next, limit: 2 })
  t.match(second.output, new RegExp(`^ *${next}\\| x{99}\\n *${next + 1}\\| x{99}\\n`))
  const byDefault = await read(h, { path: 'big.txt' })
  t.match(byDefault.output, /Showing lines 1-2000 of big\.txt \(2\.9 MiB\); the line limit was reached.*offset=2001/)
})

t.test('a very long line is cut and marked, without reading it whole into the output', async (t) => {
  const h = harness(t)
  h.file('wide.txt', `${'y'.repeat(3_000_000)}\nshort\n`)
  const result = await read(h, { path: 'wide.txt' }, { maxLineChars: 100 })
  t.match(result.output, new RegExp(`^ {4}1\\| y{100} … \\[line cut, 2999900 more characters\\]\\n {4}2\\| short\\n`))
})

t.test('binary files are refused with a clear message', async (t) => {
  const h = harness(t)
  h.file('image.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]))
  h.file('latin1.txt', Buffer.from('caf\xe9 cr\xe8me\n', 'latin1'))
  const nul = await failure(read(h, { path: 'image.png' }))
  t.equal(nul.code, 'TOOL_FS_BINARY_FILE')
  t.match(nul.message, /image\.png looks like a binary file \(its start contains NUL bytes; 12 B\)/)
  const invalid = await failure(read(h, { path: 'latin1.txt' }))
  t.equal(invalid.code, 'TOOL_FS_BINARY_FILE')
  t.match(invalid.message, /is not valid UTF-8/)
})

t.test('UTF-8 text whose 8 KiB sniff window splits a character is still text', async (t) => {
  const h = harness(t)
  h.file('accents.txt', `a${'é'.repeat(5000)}\n`) // 'é' is 2 bytes: byte 8192 falls inside one
  const result = await read(h, { path: 'accents.txt' })
  t.match(result.output, /^ {4}1\| aé/)
})

t.test('missing files, directories and empty files', async (t) => {
  const h = harness(t)
  h.file('src/config.ts', 'x')
  h.file('empty.txt', '')
  const missing = await failure(read(h, { path: 'src/config.js' }))
  t.equal(missing.code, 'TOOL_FS_NOT_FOUND')
  t.match(missing.message, /src\/config\.js does not exist\. Similar names in that directory: config\.ts\. Use list_dir or glob/)
  const gone = await failure(read(h, { path: 'nowhere/at/all.txt' }))
  t.match(gone.message, /does not exist\. Use list_dir/)
  const dir = await failure(read(h, { path: 'src' }))
  t.equal(dir.code, 'TOOL_FS_IS_DIRECTORY')
  t.match(dir.message, /list_dir/)
  t.equal((await read(h, { path: 'empty.txt' })).output, '(empty.txt is empty.)')
})

t.test('outside paths ask first; a refusal reads nothing', async (t) => {
  const h = harness(t)
  writeFileSync(join(h.outside, 'notes.txt'), 'outside text')
  symlinkSync(join(h.outside, 'notes.txt'), join(h.workspace, 'notes-link.txt'))
  const viaTraversal = await read(h, { path: '../outside/notes.txt' })
  t.match(viaTraversal.output, /1\| outside text/)
  t.equal(viaTraversal.title, join(h.outside, 'notes.txt'))
  const absolute = await read(h, { path: join(h.outside, 'notes.txt') })
  t.match(absolute.output, /outside text/)
  t.equal(h.asks.length, 2)
  h.answer = 'reject'
  const refused = await failure(read(h, { path: 'notes-link.txt' }))
  t.equal(refused.code, 'PERMISSION_REJECTED')
  t.equal(h.asks.length, 3, 'the symlink escape asked too')
})

t.test('.env is denied, .env.example is read', async (t) => {
  const h = harness(t)
  h.file('.env', 'API_KEY=hunter2')
  h.file('.env.example', 'API_KEY=')
  const denied = await failure(read(h, { path: '.env' }))
  t.equal(denied.code, 'TOOL_FS_SENSITIVE_FILE')
  t.notMatch(denied.message, /hunter2/)
  t.match((await read(h, { path: '.env.example' })).output, /API_KEY=/)
  t.match((await read(h, { path: '.env' }, { allowEnvFiles: true })).output, /API_KEY=hunter2/)
})

t.test('a symlink loop is an error, not a hang', async (t) => {
  const h = harness(t)
  symlinkSync('loop', join(h.workspace, 'loop'))
  const error = await failure(read(h, { path: 'loop' }))
  t.equal(error.code, 'TOOL_FS_IO_FAILED')
  t.match(error.message, /symbolic link loop/)
})

t.test('an aborted call stops with the abort reason', async (t) => {
  const h = harness(t)
  h.file('a.txt', 'a\n')
  h.controller.abort(new PlatformError('TURN_ABORTED', 'The turn was aborted.'))
  t.equal((await failure(read(h, { path: 'a.txt' }))).code, 'TURN_ABORTED')
})

t.test('a FIFO is refused by every tool that opens files, instead of blocking', async (t) => {
  const h = harness(t)
  execFileSync('mkfifo', [join(h.workspace, 'pipe')])
  const options = h.options()
  // Each call is awaited in turn (started one by one): a rejection is never left unhandled meanwhile.
  const calls = [
    () => read(h, { path: 'pipe' }),
    () => createWriteFileTool(options).execute({ path: 'pipe', content: 'x' }, h.ctx),
    () => createEditFileTool(options).execute({ path: 'pipe', old_string: 'a', new_string: 'b' }, h.ctx),
    () => createGrepTool(options).execute({ pattern: 'a', path: 'pipe' }, h.ctx),
  ]
  for (const call of calls) {
    const error = await failure(call())
    t.equal(error.code, 'TOOL_FS_SPECIAL_FILE')
    t.match(error.message, /pipe is not a regular file/)
  }
  t.same(h.changes, [])
})
