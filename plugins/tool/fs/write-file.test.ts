import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { createWriteFileTool } from './write-file.js'
import { failure, harness, type Harness } from './test-helpers.js'

const write = (h: Harness, path: string, content: string, options = {}) => createWriteFileTool(h.options(options)).execute({ path, content }, h.ctx)

t.test('creates a file and its missing parent directories, recording the change first', async (t) => {
  const h = harness(t)
  const result = await write(h, 'src/deep/new.ts', 'export const x = 1\n')
  t.equal(result.output, 'Created src/deep/new.ts (19 B).')
  t.equal(readFileSync(join(h.workspace, 'src/deep/new.ts'), 'utf8'), 'export const x = 1\n')
  t.same(h.changes, [{ path: join(h.workspace, 'src/deep/new.ts'), contentBefore: undefined }], 'recorded before the file existed')
  t.match(result.metadata, { created: true, bytes: 19, previousBytes: null })
})

t.test('overwrites an existing file; recordFileChange saw the old content', async (t) => {
  const h = harness(t)
  h.file('a.txt', 'old content')
  const result = await write(h, 'a.txt', 'new é')
  t.equal(result.output, 'Overwrote a.txt (6 B; it had 11 B).')
  t.equal(readFileSync(join(h.workspace, 'a.txt'), 'utf8'), 'new é')
  t.same(h.changes, [{ path: join(h.workspace, 'a.txt'), contentBefore: 'old content' }])
  t.equal(result.metadata?.created, false)
})

t.test('works without recordFileChange in the context', async (t) => {
  const h = harness(t)
  h.ctx.recordFileChange = undefined
  t.equal((await write(h, 'b.txt', 'b')).output, 'Created b.txt (1 B).')
})

t.test('writing outside the workspace (traversal or symlink) asks; a refusal writes and records nothing', async (t) => {
  const h = harness(t)
  symlinkSync(h.outside, join(h.workspace, 'out'))
  await write(h, '../outside/allowed.txt', 'ok')
  t.equal(readFileSync(join(h.outside, 'allowed.txt'), 'utf8'), 'ok')
  t.equal(h.asks[0].title, `Write ${join(h.outside, 'allowed.txt')} (outside the workspace)`)
  h.answer = 'reject'
  const refused = await failure(write(h, 'out/nested/evil.txt', 'x'))
  t.equal(refused.code, 'PERMISSION_REJECTED')
  t.notOk(existsSync(join(h.outside, 'nested')), 'no directory was created either')
  t.equal(h.changes.length, 1, 'only the allowed write was recorded')
})

t.test('directories and files in the way give clear errors', async (t) => {
  const h = harness(t)
  mkdirSync(join(h.workspace, 'dir'))
  h.file('file.txt', 'x')
  const isDir = await failure(write(h, 'dir', 'x'))
  t.equal(isDir.code, 'TOOL_FS_IS_DIRECTORY')
  const blocked = await failure(write(h, 'file.txt/child.txt', 'x'))
  t.equal(blocked.code, 'TOOL_FS_NOT_A_DIRECTORY')
  t.match(blocked.message, /file\.txt\/child\.txt is an existing file/)
})

t.test('.env is not written unless allowed; .env.example is', async (t) => {
  const h = harness(t)
  t.equal((await failure(write(h, 'config/.env.local', 'K=v'))).code, 'TOOL_FS_SENSITIVE_FILE')
  t.notOk(existsSync(join(h.workspace, 'config')))
  t.equal((await write(h, '.env.example', 'K=')).output, 'Created .env.example (2 B).')
  t.equal((await write(h, '.env', 'K=v', { allowEnvFiles: true })).output, 'Created .env (3 B).')
})

t.test('an aborted call writes nothing', async (t) => {
  const h = harness(t)
  h.controller.abort()
  t.equal((await failure(write(h, 'a.txt', 'x'))).code, 'TOOL_FS_ABORTED')
  t.notOk(existsSync(join(h.workspace, 'a.txt')))
  t.same(h.changes, [])
})
