import { CodeChallengeMethod, OAuth2Client, type Credentials } from 'google-auth-library'
import type { AdapterContext, AuthorizationRequest, CallbackPage, OAuthAdapter } from './adapter.js'
import type { GeminiOptions } from './config.js'
import { OAuthErrorCode, oauthError } from './errors.js'
import { describeFailure, type OAuthResponse } from './http.js'
import { refreshFailure } from './anthropic.js'
import { expiresAtFrom, randomToken, type TokenSet } from './tokens.js'

/** google-auth-library's client, with its (protected) de-duplicated refresh made reachable. */
class GoogleOAuthClient extends OAuth2Client {
  refreshWith(refreshToken: string) {
    return this.refreshToken(refreshToken)
  }
}

/** A GaxiosError's status and body, as an OAuthResponse (network errors have no response). */
function responseOf(error: unknown): OAuthResponse | null {
  const response = (error as { response?: { status?: number; data?: unknown } }).response
  if (!response?.status) return null
  const data = response.data && typeof response.data === 'object' ? (response.data as Record<string, unknown>) : null
  return { status: response.status, ok: false, data }
}

function networkFailure(error: unknown) {
  return oauthError(OAuthErrorCode.NETWORK_FAILED, `Cannot reach Google's OAuth endpoint: ${(error as Error).message}. Check the network and the configured endpoint.`, {
    httpStatus: 502,
    retryable: true,
  })
}

/** gemini-cli caches the account e-mail from userinfo after login; a failure does not fail the login. */
async function userEmail(options: GeminiOptions, ctx: AdapterContext, accessToken: string): Promise<string | undefined> {
  try {
    const response = await fetch(options.userinfoUrl, {
      headers: { Authorization: `Bearer ${accessToken}`, 'User-Agent': ctx.userAgent },
      signal: AbortSignal.timeout(ctx.timeoutMs),
    })
    const info = (await response.json()) as { email?: unknown }
    return response.ok && typeof info.email === 'string' ? info.email : undefined
  } catch {
    return undefined
  }
}

/** Like gemini-cli's callback: 301 to Google's success or failure page; a foreign state gets plain text. */
function callbackPage(options: GeminiOptions, outcome: 'success' | 'failure' | 'state_mismatch'): CallbackPage {
  if (outcome === 'state_mismatch') return { status: 400, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: 'State mismatch. Possible CSRF attack' }
  return { status: 301, headers: { Location: outcome === 'success' ? options.successUrl : options.failureUrl }, body: '' }
}

function toTokens(tokens: Credentials, now: Date): TokenSet {
  if (!tokens.access_token) {
    throw oauthError(OAuthErrorCode.TOKEN_RESPONSE_INVALID, 'Google answered without an access_token; try logging in again.', { httpStatus: 502 })
  }
  const expiresAt = tokens.expiry_date ? new Date(tokens.expiry_date).toISOString() : expiresAtFrom(undefined, now)
  const scopes = tokens.scope?.split(/\s+/).filter(Boolean)
  return { accessToken: tokens.access_token, ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}), expiresAt, ...(scopes?.length ? { scopes } : {}), meta: {} }
}

/** Web flow: loopback redirect, no PKCE. User-code flow: codeassist redirect with PKCE S256. Both: hex state, offline access. */
async function authorize(client: GoogleOAuthClient, options: GeminiOptions, flow: 'browser' | 'paste', redirectUri?: string): Promise<AuthorizationRequest> {
  const state = randomToken(32, 'hex')
  if (flow === 'browser' && redirectUri) {
    const url = client.generateAuthUrl({ redirect_uri: redirectUri, access_type: 'offline', scope: options.scopes, state })
    return { url, state, redirectUri }
  }
  const pkce = await client.generateCodeVerifierAsync()
  const url = client.generateAuthUrl({
    redirect_uri: options.pasteRedirectUri,
    access_type: 'offline',
    scope: options.scopes,
    code_challenge_method: CodeChallengeMethod.S256,
    code_challenge: pkce.codeChallenge,
    state,
  })
  return { url, state, verifier: pkce.codeVerifier, redirectUri: options.pasteRedirectUri }
}

/** Revoke the grant (gemini-cli only deletes its file; Google has a revocation endpoint, so logout uses it). */
async function revoke(client: GoogleOAuthClient, token: string): Promise<void> {
  try {
    await client.revokeToken(token)
  } catch (error) {
    const response = responseOf(error)
    throw oauthError(OAuthErrorCode.REVOKE_FAILED, `Google did not revoke the grant: ${response ? describeFailure(response) : (error as Error).message}.`, { httpStatus: 502 })
  }
}

/**
 * Google OAuth for Code Assist as gemini-cli does it (provider-fidelity.md §10.1-10.3, §10.5), through
 * google-auth-library so the wire matches: the web flow (no PKCE, 32-byte hex state, loopback
 * redirect on 127.0.0.1 `/oauth2callback`), the user-code flow (PKCE S256, redirect
 * codeassist.google.com/authcode), form exchange and refresh with the installed-app client secret.
 */
export function createGeminiAdapter(options: GeminiOptions, ctx: AdapterContext): OAuthAdapter {
  const client = new GoogleOAuthClient({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    endpoints: { oauth2AuthBaseUrl: options.authorizeUrl, oauth2TokenUrl: options.tokenUrl, oauth2RevokeUrl: options.revokeUrl },
    transporterOptions: { timeout: ctx.timeoutMs },
  })

  return {
    id: 'gemini',
    displayName: 'Google account (Gemini Code Assist)',
    flows: ['browser', 'paste'],
    callback: { host: options.callbackHost, port: options.callbackPort, attempts: options.callbackPortAttempts, path: '/oauth2callback' },
    flowTtlMs: options.flowTtlMs,
    refreshSkewMs: options.refreshSkewMs,
    browserRedirectUri: (port) => `http://127.0.0.1:${port}/oauth2callback`,
    authorize: (flow, redirectUri) => authorize(client, options, flow, redirectUri),
    async exchange({ code, verifier, redirectUri }) {
      let tokens: Credentials
      try {
        tokens = (await client.getToken({ code, ...(verifier ? { codeVerifier: verifier } : {}), redirect_uri: redirectUri })).tokens
      } catch (error) {
        const response = responseOf(error)
        if (!response) throw networkFailure(error)
        throw oauthError(OAuthErrorCode.TOKEN_EXCHANGE_FAILED, `Google refused the authorization code: ${describeFailure(response)}. Start the login again.`, { httpStatus: 502 })
      }
      const set = toTokens(tokens, ctx.now())
      const address = await userEmail(options, ctx, set.accessToken)
      if (address) set.meta.email = address
      return set
    },
    async refresh(refreshToken) {
      try {
        return toTokens((await client.refreshWith(refreshToken)).tokens, ctx.now())
      } catch (error) {
        const response = responseOf(error)
        throw response ? refreshFailure('Google', response) : networkFailure(error)
      }
    },
    ...(options.revokeOnLogout ? { revoke: (token: string) => revoke(client, token) } : {}),
    callbackPage: (outcome) => callbackPage(options, outcome),
  }
}
