import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createTestKernel } from '../../../kernel/testing/index.js'
import { createKeyFileReader, keyFilePath } from './key-file.js'

const tmp = mkdtempSync(join(tmpdir(), 'auth-api-key-files-'))
const home = join(tmp, 'home')
const work = join(tmp, 'work')
mkdirSync(join(home, '.keys'), { recursive: true })
mkdirSync(work)
const savedHome = process.env.HOME
const savedCwd = process.cwd()
process.env.HOME = home
process.chdir(work)
t.teardown(() => {
  process.chdir(savedCwd)
  process.env.HOME = savedHome
  rmSync(tmp, { recursive: true, force: true })
})

const warnings: { message: string; fields: Record<string, unknown> }[] = []
const logger = {
  debug() {},
  info() {},
  warn: (message: string, fields: Record<string, unknown> = {}) => warnings.push({ message, fields }),
  error() {},
  child: () => logger,
}

t.test('paths: a leading ~ is the home directory, relative paths resolve against the working directory', async (t) => {
  t.equal(keyFilePath('~/.keys/anthropic'), join(home, '.keys', 'anthropic'))
  t.equal(keyFilePath('keys/openai'), join(work, 'keys', 'openai'))
  t.equal(keyFilePath('/etc/platform/key'), '/etc/platform/key')
})

t.test('content: the whole file trimmed; empty or unreadable = no key, warned once, never with the content', async (t) => {
  warnings.length = 0
  const reader = createKeyFileReader(logger)
  writeFileSync(join(home, '.keys', 'anthropic'), '\n  test-key-0000-home  \n\n', { mode: 0o600 })
  t.same(await reader.read('~/.keys/anthropic'), { key: 'test-key-0000-home', path: join(home, '.keys', 'anthropic') })
  writeFileSync(join(work, 'relative.key'), 'test-key-0000-relative', { mode: 0o600 })
  t.equal((await reader.read('relative.key')).key, 'test-key-0000-relative')
  t.same(warnings, [], 'an owner-only file with a key: no warning')

  writeFileSync(join(work, 'empty.key'), ' \n\t\n', { mode: 0o600 })
  t.equal((await reader.read('empty.key')).key, null)
  t.equal((await reader.read('missing.key')).key, null)
  t.equal((await reader.read('missing.key')).key, null)
  t.equal((await reader.read('empty.key')).key, null)
  t.same(warnings.map((w) => [w.message, w.fields.path]), [
    ['key file is empty; it is skipped', join(work, 'empty.key')],
    ['key file cannot be read; it is skipped', join(work, 'missing.key')],
  ], 'one warning per file and problem')
  t.equal(warnings[1]!.fields.errorCode, 'ENOENT')
})

t.test('a key file readable by group or others is used, with one warning to chmod 600', async (t) => {
  warnings.length = 0
  const reader = createKeyFileReader(logger)
  const path = join(work, 'loose.key')
  writeFileSync(path, 'test-key-0000-loose')
  for (const mode of [0o644, 0o640, 0o604]) {
    chmodSync(path, mode)
    t.equal((await reader.read('loose.key')).key, 'test-key-0000-loose')
  }
  t.same(warnings, [{ message: `key file is readable by group or others; run chmod 600 ${path}`, fields: { path, mode: '0644' } }])
  chmodSync(path, 0o620)
  t.equal((await createKeyFileReader(logger).read('loose.key')).key, 'test-key-0000-loose')
  t.equal(warnings.length, 1, 'group-writable but not readable: no readability warning')
  t.notMatch(JSON.stringify(warnings), /test-key-0000/)
})

t.test('through the kernel: keyFiles per provider, read at call time, logs hold no key', async (t) => {
  const logLines: string[] = []
  const tk = await createTestKernel({ plugins: { 'auth-api-key': { keyFiles: { anthropic: '~/.keys/anthropic', openai: 'nowhere.key' } } }, logLines })
  t.teardown(tk.close)
  const credentials = tk.kernel.resolve('credentials')
  t.match(await credentials.resolve({ providerId: 'anthropic' }), { source: 'keyfile', sourceId: 'auth-api-key.keyfile', label: 'key file ~/.keys/anthropic', meta: { keyFile: join(home, '.keys', 'anthropic') } })
  writeFileSync(join(home, '.keys', 'anthropic'), 'test-key-0000-rotated\n')
  t.equal((await credentials.resolve({ providerId: 'anthropic' }))?.secret.reveal(), 'test-key-0000-rotated', 'a changed file is seen at the next call')
  t.equal(await credentials.resolve({ providerId: 'openai' }), null)
  t.ok(logLines.some((l) => l.includes('key file cannot be read')))
  t.notOk(logLines.some((l) => l.includes('test-key-0000')))
})
