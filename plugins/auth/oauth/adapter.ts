import type { TokenSet } from './tokens.js'

export type ProviderId = 'anthropic' | 'codex' | 'gemini'
export type FlowKind = 'browser' | 'paste' | 'device'
export const PROVIDER_IDS: readonly ProviderId[] = ['anthropic', 'codex', 'gemini']

/** An authorize URL and the secrets that stay on the server until the code comes back. */
export interface AuthorizationRequest {
  url: string
  state: string
  verifier?: string
  redirectUri: string
}

/** Where the loopback callback listener binds for a browser flow. */
export interface CallbackSpec {
  host: string
  port: number
  attempts: number
  path: string
}

/** What the user sees and what polling needs, after a device code was issued. */
export interface DeviceGrant {
  deviceAuthId: string
  userCode: string
  verificationUri: string
  intervalMs: number
  expiresInMs: number
}

export type DevicePoll =
  | { kind: 'pending' }
  | { kind: 'slow_down' }
  | { kind: 'expired' }
  | { kind: 'denied'; message: string }
  | { kind: 'approved'; tokens: TokenSet }

/** The page the loopback listener answers the browser with. */
export interface CallbackPage {
  status: number
  headers: Record<string, string>
  body: string
}

/** One provider's OAuth: endpoints, request shapes and token mapping, as its reference client does it. */
export interface OAuthAdapter {
  id: ProviderId
  displayName: string
  flows: readonly FlowKind[]
  callback: CallbackSpec
  flowTtlMs: number
  refreshSkewMs: number
  /** The redirect URI a browser flow uses once the listener has its port. */
  browserRedirectUri(port: number): string
  /** Authorize URL for a browser flow (redirectUri from the listener) or a paste flow (redirectUri unset). */
  authorize(flow: 'browser' | 'paste', redirectUri?: string): Promise<AuthorizationRequest>
  exchange(input: { code: string; state: string; verifier?: string; redirectUri: string }): Promise<TokenSet>
  refresh(refreshToken: string): Promise<TokenSet>
  /** Revoke the grant at the provider (only where the provider has a revocation endpoint). */
  revoke?(token: string): Promise<void>
  startDevice?(): Promise<DeviceGrant>
  pollDevice?(grant: DeviceGrant): Promise<DevicePoll>
  callbackPage(outcome: 'success' | 'failure' | 'state_mismatch'): CallbackPage
}

export interface AdapterContext {
  userAgent: string
  timeoutMs: number
  now(): Date
}
