import { PlatformError } from '../../../kernel/index.js'
import { PersistenceErrorCode } from './errors.js'

/** A parsed postgres URL and a printable form of it (never the password). */
export interface ParsedUrl {
  url: string
  /** `postgres://user@host:port/db`, safe for logs and errors. */
  safe: string
  password: string
}

/** Check an external server URL; the message of the error never repeats the URL (it may hold a password). */
export function parseDatabaseUrl(raw: string): ParsedUrl {
  let parsed: URL
  try {
    parsed = new URL(raw)
  } catch {
    throw invalid('it is not a URL')
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw invalid(`its scheme is "${parsed.protocol.replace(/:$/, '')}"`)
  }
  if (!parsed.hostname) throw invalid('it names no host')
  if (!parsed.port) parsed.port = '5432'
  const password = decodeURIComponent(parsed.password)
  const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : ''
  return { url: parsed.toString(), safe: `postgres://${user}${parsed.host}${parsed.pathname}`, password }
}

function invalid(reason: string): PlatformError {
  return new PlatformError(
    PersistenceErrorCode.URL_INVALID,
    `The persistence-postgres url (DATABASE_URL) is not usable: ${reason}. ` +
      'Set it to postgres://user:password@host:5432/database, or unset it to use the embedded database.',
  )
}

/** Remove every occurrence of the password from a text. */
export function withoutPassword(text: string, password: string): string {
  return password ? text.split(password).join('***') : text
}
