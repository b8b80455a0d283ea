import { OAuthErrorCode, oauthError } from './errors.js'

/** A consumed response of an authorisation server: status and the parsed JSON object, if any. */
export interface OAuthResponse {
  status: number
  ok: boolean
  data: Record<string, unknown> | null
}

export interface OAuthPost {
  url: string
  /** Sent as JSON (`Content-Type: application/json`). */
  json?: Record<string, unknown>
  /** Sent form-urlencoded, fields in the given order. */
  form?: Record<string, string>
  /** Extra headers in the reference's spelling (Content-Type is set from json/form unless given). */
  headers?: Record<string, string>
  timeoutMs: number
  userAgent: string
  signal?: AbortSignal
}

/** POST to an authorisation server with a timeout; network failures become AUTH_OAUTH_NETWORK_FAILED. */
export async function postOAuth(request: OAuthPost): Promise<OAuthResponse> {
  const headers: Record<string, string> = { 'User-Agent': request.userAgent }
  let body: string | undefined
  if (request.json) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(request.json)
  } else if (request.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded'
    body = new URLSearchParams(request.form).toString()
  }
  Object.assign(headers, request.headers)
  const signals = [AbortSignal.timeout(request.timeoutMs), ...(request.signal ? [request.signal] : [])]
  let response: Response
  let text: string
  try {
    response = await fetch(request.url, { method: 'POST', headers, body, signal: AbortSignal.any(signals) })
    text = await response.text()
  } catch (error) {
    const host = safeHost(request.url)
    throw oauthError(OAuthErrorCode.NETWORK_FAILED, `Cannot reach the authorisation server at ${host}: ${(error as Error).message}. Check the network and the configured endpoint.`, {
      httpStatus: 502,
      retryable: true,
      cause: error,
    })
  }
  return { status: response.status, ok: response.ok, data: parseObject(text) }
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text)
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null
  } catch {
    return null
  }
}

export function safeHost(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return 'an invalid URL'
  }
}

/** The OAuth error code of a failed response (`error` as a string, or `error.code`), if any. */
export function oauthErrorCode(response: OAuthResponse): string | undefined {
  const error = response.data?.error
  if (typeof error === 'string') return error
  if (error && typeof error === 'object' && typeof (error as { code?: unknown }).code === 'string') return (error as { code: string }).code
  return undefined
}

/** A short, token-free description of a failed response: `400 invalid_grant (Refresh token revoked)`. */
export function describeFailure(response: OAuthResponse): string {
  const code = oauthErrorCode(response)
  const error = response.data?.error as { message?: unknown } | undefined
  const description = response.data?.error_description ?? (typeof error === 'object' ? error?.message : undefined)
  const detail = typeof description === 'string' ? ` (${description.slice(0, 200)})` : ''
  return `${response.status}${code ? ` ${code.slice(0, 80)}` : ''}${detail}`
}

/** 400/401/403 from a token endpoint: the grant is dead, retrying will not help (re-login needed). */
export function isDefinitiveFailure(status: number): boolean {
  return status === 400 || status === 401 || status === 403
}
