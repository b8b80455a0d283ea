import http, { type IncomingMessage } from 'node:http'
import https from 'node:https'
import type { LookupFunction } from 'node:net'
import type { AddressPolicy } from './address-policy.js'
import { WebErrorCode, webError } from './errors.js'
import { parseFetchUrl, vetHost, type HostResolver, type ResolvedAddress } from './ssrf-guard.js'

export interface GuardedGetOptions {
  policy: AddressPolicy
  resolve: HostResolver
  maxRedirects: number
  headers: Record<string, string>
  signal: AbortSignal
}

export interface GuardedResponse {
  /** The URL that answered (after redirects). */
  url: URL
  /** Every URL redirected to, in order. */
  redirects: string[]
  response: IncomingMessage
}

const REDIRECTS = new Set([301, 302, 303, 307, 308])

/** A lookup that only ever answers with the addresses the guard vetted. */
function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const wanted = addresses.filter((a) => !options.family || a.family === options.family)
    const list = wanted.length > 0 ? wanted : addresses
    if (options.all) callback(null, list)
    else callback(null, list[0].address, list[0].family)
  }
}

function requestOnce(url: URL, addresses: ResolvedAddress[], options: GuardedGetOptions): Promise<IncomingMessage> {
  const client = url.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const request = client.request(url, {
      method: 'GET',
      headers: options.headers,
      agent: false,
      signal: options.signal,
      lookup: pinnedLookup(addresses),
    })
    request.once('response', resolve)
    request.on('error', reject)
    request.end()
  })
}

function connectError(url: URL, error: unknown): Error {
  const code = (error as { code?: string }).code ?? 'unknown error'
  const reason = error instanceof Error ? error.message : String(error)
  return webError(
    WebErrorCode.CONNECT_FAILED,
    `Could not fetch ${url.href}: ${reason} (${code}). The server may be down or the URL wrong.`,
    { url: url.href, code },
    error,
  )
}

/**
 * GET with the SSRF guard on every hop: the host is vetted (name, then every resolved address), the
 * connection goes only to the vetted addresses, and redirects are followed by hand, each vetted again.
 */
export async function guardedGet(start: URL, options: GuardedGetOptions): Promise<GuardedResponse> {
  const redirects: string[] = []
  let url = start
  for (;;) {
    const addresses = await vetHost(url, options.policy, options.resolve, options.signal)
    let response: IncomingMessage
    try {
      response = await requestOnce(url, addresses, options)
    } catch (error) {
      if (options.signal.aborted) throw options.signal.reason
      throw connectError(url, error)
    }
    const location = response.headers.location
    if (!REDIRECTS.has(response.statusCode ?? 0) || !location) return { url, redirects, response }
    response.destroy()
    if (redirects.length >= options.maxRedirects) {
      throw webError(
        WebErrorCode.TOO_MANY_REDIRECTS,
        `${start.href} redirected more than ${options.maxRedirects} times (last: ${url.href}). Fetch the final URL directly if you know it.`,
        { url: start.href, redirects },
      )
    }
    url = parseFetchUrl(location, url)
    redirects.push(url.href)
  }
}
