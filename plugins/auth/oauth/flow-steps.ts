import type { CredentialStore, Locks, Logger } from '../../../kernel/index.js'
import { isPlatformError } from '../../../kernel/index.js'
import type { CallbackPage, OAuthAdapter, ProviderId } from './adapter.js'
import { openCallbackListener, type CallbackHit, type CallbackListener } from './callback-server.js'
import { assertPending } from './flow-complete.js'
import { addProgress, type FlowRecord, type FlowStore } from './flow-store.js'
import { OAuthErrorCode, errorSummary, oauthError } from './errors.js'
import { credentialSummary, storeLogin } from './login-store.js'
import type { OAuthPolicy } from './policy.js'
import type { TokenSet } from './tokens.js'

export interface FlowManagerDeps {
  adapters: Record<ProviderId, OAuthAdapter>
  policies: Record<ProviderId, OAuthPolicy>
  scopes: Record<ProviderId, string[]>
  flows: FlowStore
  locks: Locks
  credentialStore: CredentialStore
  now: () => Date
  logger: Logger
  slowDownMs: number
}

/** In-process resources of a flow this instance started. */
export interface ActiveFlow {
  abort: AbortController
  listener?: CallbackListener
  timer?: NodeJS.Timeout
}

/** The flow manager's state: its deps plus what this instance holds open. */
export interface FlowContext extends FlowManagerDeps {
  active: Map<string, ActiveFlow>
  closing: Set<Promise<void>>
}

export async function mustGet(ctx: FlowContext, flowId: string): Promise<FlowRecord> {
  const record = await ctx.flows.get(flowId)
  if (!record) throw oauthError(OAuthErrorCode.FLOW_NOT_FOUND, `No login flow ${flowId} (it finished or expired a while ago). Start a new one.`, { httpStatus: 404 })
  return record
}

/** Release what this instance holds for a flow: poller, expiry timer, loopback listener. */
export async function finish(ctx: FlowContext, flowId: string): Promise<void> {
  const flow = ctx.active.get(flowId)
  if (!flow) return
  ctx.active.delete(flowId)
  clearTimeout(flow.timer)
  flow.abort.abort()
  if (!flow.listener) return
  // Not awaited: this may run inside the listener's own request, whose page is still to be sent.
  const closed = flow.listener.close()
  ctx.closing.add(closed)
  void closed.finally(() => ctx.closing.delete(closed))
  await ctx.flows.update(flowId, (r) => r.listener && (r.listener.status = 'closed'))
}

export async function fail(ctx: FlowContext, flowId: string, error: unknown, status: 'failed' | 'expired' = 'failed'): Promise<void> {
  const summary = errorSummary(error)
  await ctx.flows.update(flowId, (r) => {
    r.status = status
    r.error = summary
    addProgress(r, ctx.now(), `${status === 'expired' ? 'Expired' : 'Failed'}: ${summary.message}`)
  })
  await finish(ctx, flowId)
}

/** The exchange runs once per flow across instances: a lock, then a re-read of the record. */
export async function exchangeAndStore(ctx: FlowContext, flowId: string, code: string, obtained?: TokenSet): Promise<FlowRecord> {
  const lock = await ctx.locks.tryAcquire(`auth-oauth:flow:${flowId}`, 60_000)
  if (!lock) throw oauthError(OAuthErrorCode.FLOW_BUSY, `Login flow ${flowId} is being completed right now; read its status.`, { httpStatus: 409 })
  try {
    const record = await mustGet(ctx, flowId)
    assertPending(record, ctx.now())
    const adapter = ctx.adapters[record.provider]
    const tokens = obtained ?? (await adapter.exchange({ code, state: record.state ?? '', verifier: record.verifier, redirectUri: record.redirectUri ?? '' }))
    const info = await storeLogin(ctx.credentialStore, adapter, tokens, ctx.scopes[record.provider], record.ownerId ?? null)
    const updated = await ctx.flows.update(flowId, (r) => {
      r.status = 'completed'
      r.credential = credentialSummary(info)
      delete r.verifier
      addProgress(r, ctx.now(), 'Logged in; the credential is stored.')
    })
    ctx.logger.info('oauth login completed', { provider: record.provider, flow: record.flow, credentialId: info.id })
    await finish(ctx, flowId)
    return updated ?? record
  } finally {
    await lock.release()
  }
}

/** The loopback listener got a request on its callback path: check the state, exchange, answer the browser. */
export async function onCallback(ctx: FlowContext, flowId: string, adapter: OAuthAdapter, hit: CallbackHit): Promise<CallbackPage> {
  const record = await ctx.flows.get(flowId)
  if (!record || hit.state !== record.state) {
    if (record) await ctx.flows.update(flowId, (r) => addProgress(r, ctx.now(), 'Rejected a callback whose state does not match this flow.'))
    return adapter.callbackPage('state_mismatch')
  }
  if (hit.error || !hit.code) {
    const message = hit.error ? `The provider returned "${hit.error}"${hit.errorDescription ? ` (${hit.errorDescription})` : ''}.` : 'The callback carried no code.'
    await fail(ctx, flowId, oauthError(OAuthErrorCode.AUTHORIZATION_DENIED, `${message} Start the login again.`))
    return adapter.callbackPage('failure')
  }
  try {
    await exchangeAndStore(ctx, flowId, hit.code)
    return adapter.callbackPage('success')
  } catch (error) {
    const benign = isPlatformError(error) && (error.code === OAuthErrorCode.FLOW_BUSY || error.code === OAuthErrorCode.FLOW_NOT_PENDING)
    if (!benign) await fail(ctx, flowId, error)
    return adapter.callbackPage('failure')
  }
}

/**
 * Browser flow: bind the loopback listener and build the URL with its redirect. A busy port is
 * reported on the flow (AUTH_OAUTH_PORT_IN_USE) and the URL keeps the configured redirect, so the
 * user can paste the redirect URL. Paste flow: the provider's out-of-band redirect.
 */
export async function beginAuthorization(ctx: FlowContext, record: FlowRecord, adapter: OAuthAdapter, flow: ActiveFlow): Promise<void> {
  let redirectUri: string | undefined
  if (record.flow === 'browser') {
    try {
      flow.listener = await openCallbackListener(adapter.callback, adapter.browserRedirectUri, (hit) => onCallback(ctx, record.flowId, adapter, hit), adapter.callbackPage('failure'))
      redirectUri = flow.listener.redirectUri
      record.listener = { status: 'listening', redirectUri }
      addProgress(record, ctx.now(), `Listening for the browser callback at ${redirectUri}.`)
    } catch (error) {
      if (!isPlatformError(error) || error.code !== OAuthErrorCode.PORT_IN_USE) throw error
      redirectUri = adapter.callback.port ? adapter.browserRedirectUri(adapter.callback.port) : undefined
      record.listener = { status: 'failed', ...(redirectUri ? { redirectUri } : {}), error: errorSummary(error) }
      addProgress(record, ctx.now(), error.message)
    }
  }
  const request = await adapter.authorize(redirectUri ? 'browser' : 'paste', redirectUri)
  Object.assign(record, { url: request.url, state: request.state, verifier: request.verifier, redirectUri: request.redirectUri })
  addProgress(record, ctx.now(), redirectUri ? 'Open the URL and approve; the callback (or the pasted redirect URL) completes the login.' : 'Open the URL, approve, then paste the code shown.')
}

/** At expiry an unfinished browser/paste flow is marked expired and its listener closed. */
export function expireLater(ctx: FlowContext, record: FlowRecord, flow: ActiveFlow): void {
  const delay = Math.max(0, Date.parse(record.expiresAt) - ctx.now().getTime())
  const expire = async () => {
    const current = await ctx.flows.get(record.flowId)
    if (current?.status === 'pending') await fail(ctx, record.flowId, oauthError(OAuthErrorCode.FLOW_EXPIRED, 'Nobody completed the login in time. Start a new one.'), 'expired')
    else await finish(ctx, record.flowId)
  }
  flow.timer = setTimeout(() => void expire().catch((error: unknown) => ctx.logger.warn('oauth flow expiry failed', { flowId: record.flowId, error: String(error) })), delay)
  flow.timer.unref()
}
