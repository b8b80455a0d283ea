import { randomBytes } from 'node:crypto'
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { PlatformError, type Logger, type Secret } from '../../../kernel/index.js'
import { VaultErrorCode } from './errors.js'

export const KEY_BYTES = 32
export const KEY_FILE_NAME = 'vault.key'

/** The vault's keys by version. Key material never leaves this object except into the cipher. */
export interface KeyRing {
  /** The highest version: every write encrypts with it. */
  readonly current: number
  /** Every version, newest first. */
  readonly versions: number[]
  /** Where the ring came from: PLATFORM_VAULT_KEYS, or the key file. */
  readonly source: 'env' | 'file'
  key(version: number): Buffer | undefined
}

const ENTRY = /^v([1-9]\d{0,8}):([A-Za-z0-9+/]+={0,2})$/
const HOW =
  'Write it as v2:<base64 of 32 random bytes>,v1:<base64> (one key per version; make a key with `openssl rand -base64 32`).'

function invalid(origin: string, reason: string): PlatformError {
  return new PlatformError(VaultErrorCode.KEYS_INVALID, `The vault key ring in ${origin} is malformed: ${reason}. ${HOW}`, { details: { origin } })
}

/**
 * Parse `v2:<base64>,v1:<base64>` (commas or new lines between entries; `#` lines are comments).
 * Errors name the entry's position and version, never its key.
 */
export function parseKeyRing(text: string, origin: string, source: KeyRing['source']): KeyRing {
  const entries = text
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '' && !entry.startsWith('#'))
  if (entries.length === 0) throw invalid(origin, 'it holds no key')
  const keys = new Map<number, Buffer>()
  entries.forEach((entry, index) => {
    const match = ENTRY.exec(entry)
    if (!match) throw invalid(origin, `entry ${index + 1} is not v<version>:<base64>`)
    const version = Number(match[1])
    const key = Buffer.from(match[2]!, 'base64')
    if (key.length !== KEY_BYTES) throw invalid(origin, `the key of v${version} (entry ${index + 1}) is ${key.length} bytes long, not ${KEY_BYTES}`)
    if (keys.has(version)) throw invalid(origin, `v${version} is listed twice`)
    keys.set(version, key)
  })
  const versions = [...keys.keys()].sort((a, b) => b - a)
  return { current: versions[0]!, versions, source, key: (version) => keys.get(version) }
}

/** The mode bits a key file must not have: any access for group or others. */
const GROUP_OR_OTHERS = 0o077

function checkKeyFileMode(path: string): void {
  if (process.platform === 'win32') return
  const mode = statSync(path).mode & 0o777
  if ((mode & GROUP_OR_OTHERS) !== 0) {
    throw new PlatformError(
      VaultErrorCode.KEY_FILE_INSECURE,
      `The vault key file ${path} has mode ${mode.toString(8).padStart(4, '0')}: group or others may read it. ` +
        `Run \`chmod 600 ${path}\` (owner read/write only) and start again.`,
      { details: { path, mode: mode.toString(8) } },
    )
  }
}

/** Create the key file with a fresh v1 key, owner-only; false when another process created it first. */
function createKeyFile(path: string): boolean {
  let fd: number
  try {
    fd = openSync(path, 'wx', 0o600)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  }
  try {
    const header = '# Agent Platform vault key ring (PLATFORM_VAULT_KEYS format). Back it up; never share it.\n'
    writeSync(fd, `${header}v1:${randomBytes(KEY_BYTES).toString('base64')}\n`)
  } finally {
    closeSync(fd)
  }
  return true
}

export interface LoadKeyRingInput {
  keys?: Secret
  /** The kernel's data directory (relative paths resolve against the working directory). */
  dataDir: string
  logger: Logger
}

/** PLATFORM_VAULT_KEYS when set; else `<dataDir>/vault.key`, generated (0600) on first start. */
export function loadKeyRing(input: LoadKeyRingInput): KeyRing {
  const fromEnv = input.keys?.reveal().trim()
  if (fromEnv) return parseKeyRing(fromEnv, input.keys!.source || 'PLATFORM_VAULT_KEYS', 'env')
  const dir = resolve(input.dataDir)
  const path = join(dir, KEY_FILE_NAME)
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    if (createKeyFile(path)) input.logger.info('generated a new vault key: back this file up, stored credentials cannot be read without it', { path })
    checkKeyFileMode(path)
    return parseKeyRing(readFileSync(path, 'utf8'), path, 'file')
  } catch (error) {
    if (error instanceof PlatformError) throw error
    throw new PlatformError(
      VaultErrorCode.KEY_FILE_FAILED,
      `The vault key file ${path} could not be read or created: ${(error as Error).message}. ` +
        'Make the data directory writable by this user, or set PLATFORM_VAULT_KEYS.',
      { details: { path }, cause: error },
    )
  }
}
