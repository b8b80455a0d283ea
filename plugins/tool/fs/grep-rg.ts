import { spawn } from 'node:child_process'
import { constants } from 'node:fs'
import { access, stat } from 'node:fs/promises'
import { basename, delimiter, dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { abortError } from './errors.js'
import type { GrepMatch, GrepOutcome, GrepQuery } from './grep-engine.js'
import { cutLine } from './grep-engine.js'
import { isSensitiveName } from './paths.js'

/** The first executable `name` on PATH, if any. */
export async function findOnPath(name: string, path = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue
    const candidate = join(dir, name)
    const ok = await access(candidate, constants.X_OK).then(() => stat(candidate)).then((info) => info.isFile(), () => false)
    if (ok) return candidate
  }
  return undefined
}

function rgArguments(query: GrepQuery, target: string): string[] {
  const args = ['--json', '--no-config', '--no-messages', '--hidden', '--no-ignore', '--sort', 'path']
  if (query.ignoreCase) args.push('--ignore-case')
  for (const glob of query.include) args.push('--glob', glob)
  args.push('--glob', '!.git', '--glob', '!node_modules')
  for (const glob of query.exclude) args.push('--glob', `!${glob}`)
  args.push('--regexp', query.pattern, '--', target)
  return args
}

interface RgText {
  text?: string
  bytes?: string
}

const decode = (value: RgText | undefined) => value?.text ?? Buffer.from(value?.bytes ?? '', 'base64').toString('utf8')

/** A match from one line of `rg --json` output, or undefined for other messages. */
function parseMatch(line: string, cwd: string): GrepMatch | undefined {
  let message: { type?: string; data?: { path?: RgText; line_number?: number; lines?: RgText } }
  try {
    message = JSON.parse(line) as typeof message
  } catch {
    return undefined
  }
  if (message.type !== 'match' || message.data === undefined) return undefined
  const text = decode(message.data.lines).replace(/\r?\n$/, '')
  return { file: join(cwd, decode(message.data.path)), line: message.data.line_number ?? 0, text }
}

/**
 * grep through ripgrep (`rg --json`, sorted by path, hidden files searched, .gitignore not applied,
 * like the Node engine). 'fallback' when rg failed without a result (e.g. a regex only JavaScript knows).
 */
export async function grepWithRipgrep(rg: string, query: GrepQuery): Promise<GrepOutcome | 'fallback'> {
  if (query.signal.aborted) throw abortError(query.signal)
  const cwd = query.isFile ? dirname(query.root) : query.root
  const child = spawn(rg, rgArguments(query, query.isFile ? basename(query.root) : '.'), { cwd, stdio: ['ignore', 'pipe', 'ignore'] })
  const exited = new Promise<number>((resolve) => {
    child.once('close', (code) => resolve(code ?? -1))
    child.once('error', () => resolve(-1))
  })
  const kill = () => child.kill('SIGKILL')
  query.signal.addEventListener('abort', kill, { once: true })
  const matches: GrepMatch[] = []
  let truncated = false
  try {
    for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) {
      const match = parseMatch(line, cwd)
      if (match === undefined || (!query.allowEnvFiles && isSensitiveName(basename(match.file)))) continue
      if (matches.length === query.limit) {
        truncated = true
        kill()
        break
      }
      matches.push({ ...match, text: cutLine(match.text, query.maxLineChars) })
    }
    const code = await exited
    if (query.signal.aborted) throw abortError(query.signal)
    if (!truncated && matches.length === 0 && code !== 0 && code !== 1) return 'fallback'
    return { matches, truncated, engine: 'rg' }
  } finally {
    query.signal.removeEventListener('abort', kill)
    if (child.exitCode === null && child.signalCode === null) kill()
  }
}
