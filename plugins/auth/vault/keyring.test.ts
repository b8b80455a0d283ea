import { randomBytes } from 'node:crypto'
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { Secret, type PlatformError } from '../../../kernel/index.js'
import { KEY_FILE_NAME, loadKeyRing, parseKeyRing } from './keyring.js'
import { keyRing, newKey } from './test-support.js'

const lines: string[] = []
const logger = { debug() {}, info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m), child: () => logger }
const tmp = mkdtempSync(join(tmpdir(), 'auth-vault-keyring-'))
t.teardown(() => rmSync(tmp, { recursive: true, force: true }))

t.test('a ring: the highest version encrypts, every version is there, order and separators do not matter', async (t) => {
  const k1 = newKey()
  const k2 = newKey()
  const ring = parseKeyRing(`v1:${k1}, v2:${k2}`, 'PLATFORM_VAULT_KEYS', 'env')
  t.equal(ring.current, 2)
  t.same(ring.versions, [2, 1])
  t.same(ring.key(1), Buffer.from(k1, 'base64'))
  t.same(ring.key(2), Buffer.from(k2, 'base64'))
  t.equal(ring.key(3), undefined)
  const fromFile = parseKeyRing(`# comment\nv7:${k1}\n\nv3:${k2}\n`, '/x/vault.key', 'file')
  t.same([fromFile.current, fromFile.versions, fromFile.source], [7, [7, 3], 'file'])
})

t.test('a malformed ring is AUTH_VAULT_KEYS_INVALID, naming the entry but never the key', async (t) => {
  const short = randomBytes(16).toString('base64')
  const good = newKey()
  const cases: [string, RegExp][] = [
    ['', /holds no key/],
    [' , ', /holds no key/],
    [good, /entry 1 is not v<version>:<base64>/],
    [`v1:${good},2:${good}`, /entry 2 is not/],
    [`v0:${good}`, /entry 1 is not/],
    [`v1:${good}!`, /entry 1 is not/],
    [`v2:${short}`, /key of v2 \(entry 1\) is 16 bytes long, not 32/],
    [`v1:${good},v1:${newKey()}`, /v1 is listed twice/],
  ]
  for (const [text, message] of cases) {
    const error = t.throws(() => parseKeyRing(text, 'PLATFORM_VAULT_KEYS', 'env')) as PlatformError
    t.equal(error.code, 'AUTH_VAULT_KEYS_INVALID')
    t.match(error.message, message)
    t.match(error.message, /PLATFORM_VAULT_KEYS is malformed.*v2:<base64 of 32 random bytes>,v1:<base64>/)
    t.notOk(error.message.includes(good) || error.message.includes(short), 'no key material in the message')
  }
})

t.test('PLATFORM_VAULT_KEYS wins over the key file; nothing is written then', async (t) => {
  const dir = join(tmp, 'env')
  const ring = loadKeyRing({ keys: keyRing({ 3: newKey() }), dataDir: dir, logger })
  t.same([ring.source, ring.current], ['env', 3])
  t.throws(() => statSync(join(dir, KEY_FILE_NAME)), { code: 'ENOENT' })
  t.equal(loadKeyRing({ keys: new Secret('   ', 'PLATFORM_VAULT_KEYS'), dataDir: dir, logger }).source, 'file', 'a blank variable counts as unset')
})

t.test('unset: a key is generated into <dataDir>/vault.key with mode 0600 and reused after', async (t) => {
  const dir = join(tmp, 'fresh', 'data')
  const first = loadKeyRing({ dataDir: dir, logger })
  const path = join(dir, KEY_FILE_NAME)
  t.equal(statSync(path).mode & 0o777, 0o600, 'owner read/write only')
  t.equal(statSync(dir).mode & 0o077, 0, 'the created data directory is owner-only too')
  t.same([first.source, first.versions], ['file', [1]])
  t.match(readFileSync(path, 'utf8'), /^# .*\nv1:[A-Za-z0-9+/]{43}=\n$/)
  t.ok(lines.some((l) => /generated a new vault key/.test(l)), 'the generation is logged (the path only)')
  const again = loadKeyRing({ dataDir: dir, logger })
  t.same(again.key(1), first.key(1), 'the same key on the next start')
})

t.test('a key file readable by group or others is refused with a clear error', async (t) => {
  const dir = join(tmp, 'loose')
  loadKeyRing({ dataDir: dir, logger })
  const path = join(dir, KEY_FILE_NAME)
  for (const mode of [0o644, 0o640, 0o604, 0o660]) {
    chmodSync(path, mode)
    const error = t.throws(() => loadKeyRing({ dataDir: dir, logger })) as PlatformError
    t.equal(error.code, 'AUTH_VAULT_KEY_FILE_INSECURE')
    t.match(error.message, new RegExp(`${path} has mode 0${mode.toString(8)}: group or others may read it. Run \`chmod 600 ${path}\``))
  }
  chmodSync(path, 0o400)
  t.equal(loadKeyRing({ dataDir: dir, logger }).current, 1, 'owner read-only is fine')
})

t.test('an edited key file is a ring too; a broken one is AUTH_VAULT_KEYS_INVALID naming the file', async (t) => {
  const dir = join(tmp, 'edited')
  const path = join(dir, KEY_FILE_NAME)
  loadKeyRing({ dataDir: dir, logger })
  writeFileSync(path, `v2:${newKey()}\n${readFileSync(path, 'utf8')}`)
  t.same(loadKeyRing({ dataDir: dir, logger }).versions, [2, 1])
  writeFileSync(path, 'v1:not-a-key\n')
  t.throws(() => loadKeyRing({ dataDir: dir, logger }), { code: 'AUTH_VAULT_KEYS_INVALID', message: new RegExp(`ring in ${path} is malformed`) })
})

t.test('a data directory that cannot hold the file gives AUTH_VAULT_KEY_FILE_FAILED', async (t) => {
  const file = join(tmp, 'plain-file')
  writeFileSync(file, 'x')
  t.throws(() => loadKeyRing({ dataDir: file, logger }), { code: 'AUTH_VAULT_KEY_FILE_FAILED', message: /could not be read or created.*set PLATFORM_VAULT_KEYS/ })
})
