import { OAuthErrorCode, oauthError } from './errors.js'
import { effectiveStatus, type FlowRecord } from './flow-store.js'

/** What a client sends to finish a browser or paste flow. */
export interface CompletionInput {
  /** The pasted code; Anthropic's console shows it as `code#state`. */
  code?: string
  /** The whole redirect URL from the browser's address bar. */
  redirectUrl?: string
}

/**
 * The code and, when the input carries one, the state it came back with. A redirect URL must carry
 * both; an `error` parameter means the user refused.
 */
export function parseCompletion(input: CompletionInput): { code: string; state?: string } {
  if (input.redirectUrl) {
    let url: URL
    try {
      url = new URL(input.redirectUrl.trim())
    } catch {
      throw oauthError(OAuthErrorCode.CODE_MISSING, 'redirectUrl is not a URL. Paste the full address the browser was sent to (it contains code= and state=).')
    }
    const error = url.searchParams.get('error')
    if (error) {
      const description = url.searchParams.get('error_description')
      throw oauthError(OAuthErrorCode.AUTHORIZATION_DENIED, `The provider returned "${error.slice(0, 80)}"${description ? ` (${description.slice(0, 200)})` : ''} instead of a code. Start the login again.`, { httpStatus: 400 })
    }
    const code = url.searchParams.get('code')
    if (!code) throw oauthError(OAuthErrorCode.CODE_MISSING, 'The redirect URL has no code parameter. Paste the address the browser was sent to after you approved the login.')
    return { code, state: url.searchParams.get('state') ?? '' }
  }
  const pasted = input.code?.trim()
  if (!pasted) throw oauthError(OAuthErrorCode.CODE_MISSING, 'Send {"code": "..."} (the code the provider showed you) or {"redirectUrl": "..."} (the full redirect address).')
  const hash = pasted.indexOf('#')
  return hash >= 0 ? { code: pasted.slice(0, hash), state: pasted.slice(hash + 1) } : { code: pasted }
}

/** Throws unless the flow can still take a code. */
export function assertPending(record: FlowRecord, now: Date): void {
  const status = effectiveStatus(record, now)
  if (status === 'expired') {
    throw oauthError(OAuthErrorCode.FLOW_EXPIRED, `Login flow ${record.flowId} expired at ${record.expiresAt}. Start a new one.`, { httpStatus: 410 })
  }
  if (status !== 'pending') {
    throw oauthError(OAuthErrorCode.FLOW_NOT_PENDING, `Login flow ${record.flowId} is already ${status}; it takes no more codes. Start a new one to log in again.`, { httpStatus: 409 })
  }
}

/** A state that came back must be the one this flow sent. */
export function assertState(record: FlowRecord, state: string | undefined): void {
  if (state !== undefined && state !== record.state) {
    throw oauthError(OAuthErrorCode.STATE_MISMATCH, 'The state returned with the code does not match this login flow (a stale tab or a forged callback). Start the login again and use the newest URL.', { httpStatus: 400 })
  }
}
