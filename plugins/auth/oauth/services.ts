import type { Credential, CredentialInfo } from '../../../kernel/index.js'
import type { FlowKind, ProviderId } from './adapter.js'
import type { CompletionInput } from './flow-complete.js'
import type { FlowView } from './flow-store.js'
import type { OAuthPolicy } from './policy.js'
import type { RefreshFailureState, RefreshReason } from './refresher.js'
import type { RenewalReport } from './renewal.js'

export type { FlowKind, ProviderId } from './adapter.js'
export type { CompletionInput } from './flow-complete.js'
export type { FlowStatus, FlowView, FlowProgress } from './flow-store.js'
export type { OAuthPolicy } from './policy.js'
export type { RefreshFailureState, RefreshReason } from './refresher.js'
export type { RenewalReport } from './renewal.js'

/** One provider's line in `GET /api/auth/oauth/status`. */
export interface OAuthProviderStatus {
  provider: ProviderId
  displayName: string
  enabled: boolean
  policy: OAuthPolicy
  flows: FlowKind[]
  loggedIn: boolean
  /** The stored login (masked), or null. `status` is `refresh_failed` once the grant died. */
  credential: Pick<CredentialInfo, 'id' | 'label' | 'hint' | 'status' | 'expiresAt' | 'scopes' | 'meta' | 'updatedAt'> | null
  /** The last failed refresh of that credential, when the latest attempt failed. */
  refreshError: RefreshFailureState | null
}

export interface OAuthLogoutResult {
  provider: ProviderId
  deleted: number
  /** true: the provider revoked the grant; false: revocation failed (see revokeError); null: the provider has no revocation. */
  revoked: boolean | null
  revokeError?: { code: string; message: string }
}

/** Service `authOauth`: the OAuth flows, stored logins and their refresh. */
export interface AuthOauthService {
  /** `ownerId`: a member's own login; null or unset = server-wide. */
  start(provider: string, flow?: FlowKind, ownerId?: string | null): Promise<FlowView & { policy: OAuthPolicy }>
  flow(flowId: string): Promise<FlowView>
  complete(flowId: string, input: CompletionInput): Promise<FlowView>
  /** Delete the logins of that owner (null = the server-wide ones). */
  logout(provider: string, ownerId?: string | null): Promise<OAuthLogoutResult>
  /** `ownerId`: a user sees their own login where they have one, else the server-wide one. */
  status(ownerId?: string | null): Promise<OAuthProviderStatus[]>
  /** Refresh a stored OAuth credential now (lock, re-read, refresh, store); null when it is gone or inactive. */
  refresh(credentialId: string, reason: RefreshReason, failedAccessToken?: string): Promise<Credential | null>
  /** One pass of the background renewal job (the scheduler runs it every `refresh.checkEveryMs`). */
  runRenewal(): Promise<RenewalReport>
  policies(): Record<ProviderId, OAuthPolicy>
  /** Close listeners and stop pollers (shutdown). */
  close(): Promise<void>
}

declare module '../../../kernel/services.js' {
  interface KernelServices {
    authOauth: AuthOauthService
  }
}
