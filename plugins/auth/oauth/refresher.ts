import type { Credential, CredentialStore, KeyValue, LockHandle, Locks, Logger } from '../../../kernel/index.js'
import { isPlatformError } from '../../../kernel/index.js'
import type { OAuthAdapter, ProviderId } from './adapter.js'
import type { AuthOauthOptions } from './config.js'
import { OAuthErrorCode, errorSummary, oauthError } from './errors.js'
import { isDefinitiveFailure } from './http.js'
import { renewAt } from './schedule.js'
import { mergeRefreshed } from './tokens.js'

export type RefreshReason = 'expired' | 'rejected' | 'proactive'

export interface RefreshRequest {
  reason: RefreshReason
  /** For `rejected`: the access token the provider refused (a stored token that differs is already new). */
  failedAccessToken?: string
  /** For `proactive`: the expiry the job saw; a stored one that differs means another instance renewed it. */
  seenExpiresAt?: string | null
}

/** Kept in kv per credential: the last failure and when the background job may try again. */
export interface RefreshFailureState {
  failures: number
  at: string
  nextAttemptAt: string
  error: { code: string; message: string }
  definitive: boolean
}

export interface RefresherDeps {
  adapters: Record<ProviderId, OAuthAdapter>
  credentialStore: CredentialStore
  locks: Locks
  kv: KeyValue
  now: () => Date
  logger: Logger
  refresh: AuthOauthOptions['refresh']
}

export interface Refresher {
  refresh(credentialId: string, request: RefreshRequest): Promise<Credential | null>
  failureState(credentialId: string): Promise<RefreshFailureState | null>
}

const failureKey = (id: string) => `auth-oauth:refresh-failure:${id}`
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const adapterOf = (deps: RefresherDeps, providerId: string) => (deps.adapters as Record<string, OAuthAdapter | undefined>)[providerId]

/** Wait for the per-credential lock with backoff (100 ms doubling, 2 s cap, jitter), up to lockWaitMs. */
async function acquire(deps: RefresherDeps, key: string): Promise<LockHandle | null> {
  const deadline = Date.now() + deps.refresh.lockWaitMs
  for (let attempt = 0; ; attempt += 1) {
    const handle = await deps.locks.tryAcquire(key, deps.refresh.lockTtlMs)
    if (handle || Date.now() >= deadline) return handle
    await sleep(Math.min(100 * 2 ** attempt, 2_000) + Math.floor(Math.random() * 50))
  }
}

/** Still good, so nobody needs to call the token endpoint (another instance may just have refreshed it). */
function isFresh(deps: RefresherDeps, credential: Credential, adapter: OAuthAdapter, request: RefreshRequest, updatedAt: string): boolean {
  const now = deps.now().getTime()
  if (request.reason === 'rejected') return request.failedAccessToken !== undefined && credential.secret.reveal() !== request.failedAccessToken
  const expires = credential.expiresAt ? Date.parse(credential.expiresAt) : Number.POSITIVE_INFINITY
  if (request.reason === 'expired') return expires > now + adapter.refreshSkewMs
  if (request.seenExpiresAt !== undefined && (credential.expiresAt ?? null) !== request.seenExpiresAt) return true
  const due = renewAt({ id: credential.id ?? '', expiresAt: credential.expiresAt ?? null, updatedAt }, deps.refresh)
  return due === null || due > now
}

export async function clearFailure(kv: KeyValue, id: string): Promise<void> {
  await kv.delete(failureKey(id))
}

export async function readFailure(kv: KeyValue, id: string): Promise<RefreshFailureState | null> {
  const raw = await kv.get(failureKey(id))
  return raw ? (JSON.parse(raw) as RefreshFailureState) : null
}

/** Count a failure; the background job waits retryBase x 2^(n-1), capped at retryMax, before trying again. */
async function recordFailure(deps: RefresherDeps, id: string, error: unknown, definitive: boolean): Promise<void> {
  const failures = ((await readFailure(deps.kv, id))?.failures ?? 0) + 1
  const backoff = Math.min(deps.refresh.retryBaseMs * 2 ** (failures - 1), deps.refresh.retryMaxMs)
  const now = deps.now()
  const state: RefreshFailureState = { failures, at: now.toISOString(), nextAttemptAt: new Date(now.getTime() + backoff).toISOString(), error: errorSummary(error), definitive }
  await deps.kv.set(failureKey(id), JSON.stringify(state), { ttlMs: 7 * 24 * 3_600_000 })
}

/** The grant is dead (revoked, expired, reused): status refresh_failed until the user logs in again. */
async function markFailed(deps: RefresherDeps, id: string, error: unknown): Promise<void> {
  await deps.credentialStore.update(id, { status: 'refresh_failed' })
  await recordFailure(deps, id, error, true)
}

/** Under the lock: re-read, skip when fresh, else refresh and store the merged result before returning it. */
async function refreshUnderLock(deps: RefresherDeps, id: string, request: RefreshRequest): Promise<Credential | null> {
  const current = await deps.credentialStore.get(id)
  if (!current || current.mode !== 'oauth') return null
  const info = (await deps.credentialStore.list({ providerId: current.providerId })).find((c) => c.id === id)
  const adapter = adapterOf(deps, current.providerId)
  if (!info || info.status !== 'active' || !adapter) return null
  if (isFresh(deps, current, adapter, request, info.updatedAt)) return current
  if (!current.refreshToken) {
    const error = oauthError(OAuthErrorCode.REFRESH_TOKEN_MISSING, `The stored ${adapter.displayName} login has no refresh token. Log in again.`)
    await markFailed(deps, id, error)
    throw error
  }
  try {
    const tokens = await adapter.refresh(current.refreshToken.reveal())
    await deps.credentialStore.update(id, mergeRefreshed(current, tokens))
    await deps.kv.delete(failureKey(id))
    deps.logger.info('oauth credential refreshed', { provider: current.providerId, credentialId: id, reason: request.reason })
    return await deps.credentialStore.get(id)
  } catch (error) {
    const status = isPlatformError(error) ? (error.details?.status as number | undefined) : undefined
    if (status !== undefined && isDefinitiveFailure(status)) await markFailed(deps, id, error)
    else await recordFailure(deps, id, error, false)
    deps.logger.warn('oauth refresh failed', { provider: current.providerId, credentialId: id, reason: request.reason, ...errorSummary(error) })
    throw error
  }
}

async function refreshOnce(deps: RefresherDeps, id: string, request: RefreshRequest): Promise<Credential | null> {
  const lock = await acquire(deps, `auth-oauth:refresh:${id}`)
  if (!lock) {
    const current = await deps.credentialStore.get(id)
    const adapter = current && adapterOf(deps, current.providerId)
    if (current && adapter && request.reason !== 'proactive' && isFresh(deps, current, adapter, request, '')) return current
    throw oauthError(OAuthErrorCode.REFRESH_LOCK_TIMEOUT, `Another instance has been refreshing credential ${id} for over ${deps.refresh.lockWaitMs} ms; try again shortly.`, { httpStatus: 503, retryable: true })
  }
  try {
    return await refreshUnderLock(deps, id, request)
  } finally {
    await lock.release()
  }
}

/**
 * Refreshes one stored OAuth credential at a time across every instance: a lock per credential
 * (the locks port: Redis when configured), then a re-read, so a rotating refresh token is never
 * spent twice; the merged result (rotated refresh token included) is stored before it is returned.
 * Identical concurrent requests in this process share one attempt.
 */
export function createRefresher(deps: RefresherDeps): Refresher {
  const inFlight = new Map<string, Promise<Credential | null>>()
  return {
    refresh(id, request) {
      const key = `${id}:${request.reason}:${request.failedAccessToken ?? ''}:${request.seenExpiresAt ?? ''}`
      const existing = inFlight.get(key)
      if (existing) return existing
      const promise = refreshOnce(deps, id, request).finally(() => inFlight.delete(key))
      inFlight.set(key, promise)
      return promise
    },
    failureState: (id) => readFailure(deps.kv, id),
  }
}
