import { randomUUID } from 'node:crypto'
import type { AdapterContext, DeviceGrant, DevicePoll, OAuthAdapter } from './adapter.js'
import { refreshFailure } from './anthropic.js'
import type { AuthOauthOptions, CodexOptions } from './config.js'
import { OAuthErrorCode, oauthError } from './errors.js'
import { describeFailure, oauthErrorCode, postOAuth, type OAuthPost, type OAuthResponse } from './http.js'
import { defaultCallbackPage } from './pages.js'
import { baseTokenSet, codexAccountId, definedOnly, jwtPayload, pkcePair, type TokenSet } from './tokens.js'

type Post = (url: string, body: Pick<OAuthPost, 'json' | 'form' | 'headers'>) => Promise<OAuthResponse>
const FORM_HEADERS = { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' }

/** The authorize URL exactly as the reference builds it: fixed order, `%20` for spaces. */
function authorizeUrl(options: CodexOptions, redirect: string, challenge: string, state: string): string {
  const params = [
    'response_type=code',
    `client_id=${encodeURIComponent(options.clientId)}`,
    `redirect_uri=${encodeURIComponent(redirect)}`,
    `scope=${encodeURIComponent(options.scopes.join(' '))}`,
    `code_challenge=${encodeURIComponent(challenge)}`,
    'code_challenge_method=S256',
    'id_token_add_organizations=true',
    'codex_cli_simplified_flow=true',
    `state=${encodeURIComponent(state)}`,
    `originator=${encodeURIComponent(options.originator)}`,
    'theme=dark',
  ]
  return `${options.authorizeUrl}?${params.join('&')}`
}

/** Tokens plus the ChatGPT account id from the id_token (§7.4); a login without one is useless for Codex. */
function toTokens(response: OAuthResponse, now: Date, requireAccount: boolean): TokenSet {
  const tokens = baseTokenSet(response.data, now, 'ChatGPT')
  const idToken = typeof response.data?.id_token === 'string' ? response.data.id_token : undefined
  const claims = idToken ? jwtPayload(idToken) : null
  const accountId = codexAccountId(claims)
  if (requireAccount && !accountId) {
    throw oauthError(OAuthErrorCode.ACCOUNT_ID_MISSING, 'The ChatGPT token response has no id_token with an account id, so Codex requests cannot be made. Log in again with a ChatGPT Plus/Pro account.', { httpStatus: 502 })
  }
  const auth = claims?.['https://api.openai.com/auth'] as Record<string, unknown> | undefined
  tokens.meta = definedOnly({ accountId, email: claims?.email, planType: auth?.chatgpt_plan_type })
  return tokens
}

async function startDevice(options: CodexOptions, device: AuthOauthOptions['device'], post: Post): Promise<DeviceGrant> {
  const response = await post(options.deviceCodeUrl, { json: { client_id: options.clientId } })
  if (!response.ok) {
    const reason = response.status === 404 ? 'device code login is not enabled on this server (404)' : describeFailure(response)
    throw oauthError(OAuthErrorCode.DEVICE_CODE_FAILED, `OpenAI did not issue a device code: ${reason}. Use the browser flow instead.`, { httpStatus: 502 })
  }
  const deviceAuthId = response.data?.device_auth_id
  const userCode = response.data?.user_code
  if (typeof deviceAuthId !== 'string' || typeof userCode !== 'string') {
    throw oauthError(OAuthErrorCode.DEVICE_CODE_FAILED, 'OpenAI answered the device code request without device_auth_id or user_code. Use the browser flow instead.', { httpStatus: 502 })
  }
  const serverInterval = Number.parseInt(String(response.data?.interval ?? ''), 10)
  const intervalMs = device.intervalMs ?? (Number.isFinite(serverInterval) && serverInterval > 0 ? serverInterval * 1000 : device.defaultIntervalMs)
  return { deviceAuthId, userCode, verificationUri: options.deviceVerificationUri, intervalMs, expiresInMs: options.deviceTtlMs }
}

/** RFC 8628 error codes, plus the reference's rule that 403/404 mean "not approved yet". */
export function devicePollOutcome(response: OAuthResponse): DevicePoll {
  const code = oauthErrorCode(response)
  if (code === 'slow_down') return { kind: 'slow_down' }
  if (code === 'authorization_pending') return { kind: 'pending' }
  if (code === 'expired_token') return { kind: 'expired' }
  if (code === 'access_denied') return { kind: 'denied', message: 'The user denied the device login.' }
  if (response.status === 403 || response.status === 404) return { kind: 'pending' }
  throw oauthError(OAuthErrorCode.DEVICE_POLL_FAILED, `Polling the device code failed: ${describeFailure(response)}. Start the login again.`, { httpStatus: 502 })
}

/**
 * ChatGPT / Codex OAuth (provider-fidelity.md §7.1-7.4): browser PKCE with a 64-byte verifier and a
 * UUID state, form-encoded exchange and refresh with `Accept: application/json`, the deviceauth
 * user-code flow (the server hands back the verifier), the ChatGPT account id read from the
 * id_token. No revocation endpoint.
 */
export function createCodexAdapter(options: CodexOptions, device: AuthOauthOptions['device'], ctx: AdapterContext): OAuthAdapter {
  const post: Post = (url, body) => postOAuth({ url, ...body, timeoutMs: ctx.timeoutMs, userAgent: ctx.userAgent })
  const exchange = async (code: string, redirectUri: string, verifier: string): Promise<TokenSet> => {
    const form = { grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: options.clientId, code_verifier: verifier }
    const response = await post(options.tokenUrl, { form, headers: FORM_HEADERS })
    if (!response.ok) {
      throw oauthError(OAuthErrorCode.TOKEN_EXCHANGE_FAILED, `OpenAI refused the authorization code: ${describeFailure(response)}. Start the login again.`, { httpStatus: 502 })
    }
    return toTokens(response, ctx.now(), true)
  }
  return {
    id: 'codex',
    displayName: 'ChatGPT subscription (Codex)',
    flows: ['browser', 'paste', 'device'],
    callback: { host: options.callbackHost, port: options.callbackPort, attempts: options.callbackPortAttempts, path: '/auth/callback' },
    flowTtlMs: options.flowTtlMs,
    refreshSkewMs: options.refreshSkewMs,
    browserRedirectUri: (port) => `http://localhost:${port}/auth/callback`,
    async authorize(_flow, redirectUri) {
      const { verifier, challenge } = pkcePair(64)
      const state = randomUUID()
      const redirect = redirectUri ?? `http://localhost:${options.callbackPort || 1455}/auth/callback`
      return { url: authorizeUrl(options, redirect, challenge, state), state, verifier, redirectUri: redirect }
    },
    exchange: ({ code, verifier, redirectUri }) => exchange(code, redirectUri, verifier ?? ''),
    async refresh(refreshToken) {
      const response = await post(options.tokenUrl, { form: { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: options.clientId }, headers: FORM_HEADERS })
      if (!response.ok) throw refreshFailure('OpenAI', response)
      return toTokens(response, ctx.now(), false)
    },
    startDevice: () => startDevice(options, device, post),
    async pollDevice(grant) {
      const response = await post(options.deviceTokenUrl, { json: { device_auth_id: grant.deviceAuthId, user_code: grant.userCode } })
      if (!response.ok) return devicePollOutcome(response)
      const code = response.data?.authorization_code
      const verifier = response.data?.code_verifier
      if (typeof code !== 'string' || typeof verifier !== 'string') {
        throw oauthError(OAuthErrorCode.DEVICE_POLL_FAILED, 'OpenAI approved the device code without authorization_code or code_verifier. Start the login again.', { httpStatus: 502 })
      }
      return { kind: 'approved', tokens: await exchange(code, options.deviceRedirectUri, verifier) }
    },
    callbackPage: defaultCallbackPage,
  }
}
