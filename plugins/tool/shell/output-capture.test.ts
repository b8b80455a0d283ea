import t from 'tap'
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { OutputCapture } from './output-capture.js'

function tempDir(t: Tap.Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'tool-shell-capture-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}
declare namespace Tap {
  type Test = import('tap').Test
}

t.test('short output passes whole; a UTF-8 character split across chunks is decoded once', async (t) => {
  const path = join(tempDir(t), 'a.log')
  const capture = await OutputCapture.open(path, 1_000)
  const bytes = Buffer.from('héllo → wörld\n')
  const texts = [capture.push(bytes.subarray(0, 2)), capture.push(bytes.subarray(2, 9)), capture.push(bytes.subarray(9))]
  t.equal(texts.join(''), 'héllo → wörld\n')
  const result = await capture.finish(path)
  t.same(result, { text: 'héllo → wörld\n', truncated: false, totalChars: 14, logComplete: true })
  t.same(readFileSync(path), bytes)
})

t.test('long output keeps head and tail with a marker counting the cut characters and lines', async (t) => {
  const path = join(tempDir(t), 'b.log')
  const capture = await OutputCapture.open(path, 1_000)
  const lines = Array.from({ length: 2_000 }, (_, i) => `line ${i}\n`)
  for (const line of lines) capture.push(Buffer.from(line))
  const all = lines.join('')
  const result = await capture.finish(path)
  t.equal(result.truncated, true)
  t.equal(result.totalChars, all.length)
  const [head, tail] = result.text.split(/\n\n\[\.\.\. .*? \.\.\.\]\n\n/)
  t.equal(head, all.slice(0, 500))
  t.equal(tail, all.slice(-500))
  const cutLines = all.slice(500, -500).split('\n').length - 1
  t.match(result.text, `[... ${(all.length - 1_000).toLocaleString('en-US')} characters (${cutLines.toLocaleString('en-US')} lines) cut from the middle; the full output is in ${path} ...]`)
  t.equal(readFileSync(path, 'utf8'), all)
})

t.test('the log is created 0600, an existing file is truncated and made private, a symlink is refused', async (t) => {
  const dir = tempDir(t)
  const path = join(dir, 'c.log')
  writeFileSync(path, 'old content that is longer', { mode: 0o644 })
  const capture = await OutputCapture.open(path, 1_000)
  capture.push(Buffer.from('new'))
  await capture.finish(path)
  t.equal(readFileSync(path, 'utf8'), 'new')
  t.equal(statSync(path).mode & 0o777, 0o600)

  const target = join(dir, 'target')
  writeFileSync(target, 'keep me')
  symlinkSync(target, join(dir, 'link.log'))
  await t.rejects(OutputCapture.open(join(dir, 'link.log'), 1_000), { code: 'ELOOP' })
  t.equal(readFileSync(target, 'utf8'), 'keep me')
})
