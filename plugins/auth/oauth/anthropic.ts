import type { AdapterContext, AuthorizationRequest, OAuthAdapter } from './adapter.js'
import type { AnthropicOptions } from './config.js'
import { OAuthErrorCode, oauthError } from './errors.js'
import { describeFailure, postOAuth, type OAuthResponse } from './http.js'
import { defaultCallbackPage } from './pages.js'
import { baseTokenSet, definedOnly, pkcePair, randomToken, type TokenSet } from './tokens.js'

/**
 * Claude subscription OAuth (provider-fidelity.md §4.1): authorization code + PKCE (32-byte
 * verifier, S256), JSON code exchange that carries `state`, form-encoded refresh, no revocation.
 * Deliberate difference (§15.1): `state` is its own random value, not the PKCE verifier, so the
 * verifier never appears in a browser URL.
 */
export function createAnthropicAdapter(options: AnthropicOptions, ctx: AdapterContext): OAuthAdapter {
  const toTokens = (response: OAuthResponse): TokenSet => {
    const tokens = baseTokenSet(response.data, ctx.now(), 'Anthropic')
    const account = response.data?.account as { email_address?: unknown; uuid?: unknown } | undefined
    const organization = response.data?.organization as { uuid?: unknown } | undefined
    tokens.meta = definedOnly({ email: account?.email_address, accountId: account?.uuid, organizationId: organization?.uuid })
    return tokens
  }
  const post = (body: { json?: Record<string, unknown>; form?: Record<string, string> }) =>
    postOAuth({ url: options.tokenUrl, ...body, timeoutMs: ctx.timeoutMs, userAgent: ctx.userAgent })

  return {
    id: 'anthropic',
    displayName: 'Claude subscription (Anthropic)',
    flows: ['browser', 'paste'],
    callback: { host: options.callbackHost, port: options.callbackPort, attempts: options.callbackPortAttempts, path: '/callback' },
    flowTtlMs: options.flowTtlMs,
    refreshSkewMs: options.refreshSkewMs,
    browserRedirectUri: (port) => `http://localhost:${port}/callback`,
    async authorize(flow, redirectUri): Promise<AuthorizationRequest> {
      const { verifier, challenge } = pkcePair(32)
      const state = randomToken(32)
      const redirect = flow === 'paste' || !redirectUri ? options.pasteRedirectUri : redirectUri
      const query = new URLSearchParams({
        code: 'true',
        client_id: options.clientId,
        response_type: 'code',
        redirect_uri: redirect,
        scope: options.scopes.join(' '),
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state,
      })
      return { url: `${options.authorizeUrl}?${query.toString()}`, state, verifier, redirectUri: redirect }
    },
    async exchange({ code, state, verifier, redirectUri }) {
      const response = await post({
        json: { grant_type: 'authorization_code', code, state, client_id: options.clientId, redirect_uri: redirectUri, code_verifier: verifier },
      })
      if (!response.ok) {
        throw oauthError(OAuthErrorCode.TOKEN_EXCHANGE_FAILED, `Anthropic refused the authorization code: ${describeFailure(response)}. Start the login again.`, { httpStatus: 502 })
      }
      return toTokens(response)
    },
    async refresh(refreshToken) {
      const response = await post({ form: { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: options.clientId } })
      if (!response.ok) throw refreshFailure('Anthropic', response)
      return toTokens(response)
    },
    callbackPage: defaultCallbackPage,
  }
}

/** A refresh the token endpoint refused; `details.status` lets the refresher tell dead grants from outages. */
export function refreshFailure(label: string, response: OAuthResponse) {
  return oauthError(OAuthErrorCode.REFRESH_FAILED, `${label} refused the token refresh: ${describeFailure(response)}. Log in again if this persists.`, {
    httpStatus: 502,
    retryable: response.status >= 500 || response.status === 429 || response.status === 408,
    details: { status: response.status },
  })
}
