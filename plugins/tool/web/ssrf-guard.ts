import { lookup as dnsLookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { normalizeHost, type AddressPolicy, type Refusal } from './address-policy.js'
import { WebErrorCode, webError } from './errors.js'

export interface ResolvedAddress {
  address: string
  family: number
}

/** Resolves a hostname to every address it has (tests pass a fake). */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>

export const systemResolver: HostResolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true })

/** Parses a URL the tool may fetch: http or https, no credentials. */
export function parseFetchUrl(text: string, base?: URL): URL {
  let url: URL
  try {
    url = new URL(text, base)
  } catch {
    throw webError(WebErrorCode.INVALID_URL, `"${text}" is not a valid URL. Pass an absolute http:// or https:// URL.`, { url: text })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw webError(WebErrorCode.INVALID_URL, `Only http:// and https:// URLs can be fetched, not ${url.protocol}// (${text}).`, { url: text })
  }
  if (url.username || url.password) {
    throw webError(WebErrorCode.INVALID_URL, 'URLs with a user name or password are not fetched. Remove the credentials from the URL.', {
      url: `${url.protocol}//${url.host}${url.pathname}`,
    })
  }
  return url
}

function blocked(url: URL, refusal: Refusal): Error {
  return webError(
    WebErrorCode.BLOCKED_ADDRESS,
    `Refused to fetch ${url.href}: ${refusal.reason}. Fetching internal addresses is blocked to protect the server's network; ` +
      'use a public URL, or ask an administrator to add the host to tool-web allowHosts.',
    { url: url.href, class: refusal.kind },
  )
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

/**
 * Checks one hop's host: the name, then every address it resolves to. Returns the vetted addresses,
 * the only ones the request may connect to (so a second DNS answer cannot swap in another address).
 */
export async function vetHost(url: URL, policy: AddressPolicy, resolve: HostResolver, signal: AbortSignal): Promise<ResolvedAddress[]> {
  const host = normalizeHost(url.hostname)
  const family = isIP(host)
  if (family) {
    const refusal = policy.checkAddress(host)
    if (refusal) throw blocked(url, refusal)
    return [{ address: host, family }]
  }
  const nameRefusal = policy.checkName(host)
  if (nameRefusal) throw blocked(url, nameRefusal)
  let addresses: ResolvedAddress[]
  try {
    addresses = await abortable(resolve(host), signal)
  } catch (error) {
    if (signal.aborted) throw error
    const code = (error as { code?: string }).code ?? 'unknown error'
    throw webError(WebErrorCode.DNS_FAILED, `Could not resolve the host "${host}" (${code}). Check the URL's spelling.`, { host, code }, error)
  }
  if (addresses.length === 0) throw webError(WebErrorCode.DNS_FAILED, `The host "${host}" has no addresses. Check the URL's spelling.`, { host })
  if (policy.allowsName(host)) return addresses
  for (const { address } of addresses) {
    const refusal = policy.checkAddress(address)
    if (refusal) throw blocked(url, { kind: refusal.kind, reason: `${host} resolves to ${address}, ${refusal.label ?? 'a blocked address'}` })
  }
  return addresses
}
