import type { FlowKind, OAuthAdapter, ProviderId } from './adapter.js'
import { runDeviceFlow } from './device-flow.js'
import { assertPending, assertState, parseCompletion, type CompletionInput } from './flow-complete.js'
import { addProgress, publicView, type FlowRecord, type FlowView } from './flow-store.js'
import { beginAuthorization, exchangeAndStore, expireLater, fail, finish, mustGet, type ActiveFlow, type FlowContext, type FlowManagerDeps } from './flow-steps.js'
import { OAuthErrorCode, errorSummary, oauthError } from './errors.js'
import type { OAuthPolicy } from './policy.js'
import { randomToken } from './tokens.js'

export type { FlowManagerDeps } from './flow-steps.js'

export interface FlowManager {
  /** `ownerId`: the member whose own login this becomes; null (default) = server-wide. */
  start(provider: string, flow?: FlowKind, ownerId?: string | null): Promise<FlowView & { policy: OAuthPolicy }>
  get(flowId: string): Promise<FlowView>
  complete(flowId: string, input: CompletionInput): Promise<FlowView>
  close(): Promise<void>
}

export function adapterFor(adapters: Record<ProviderId, OAuthAdapter>, provider: string): OAuthAdapter {
  const adapter = (adapters as Record<string, OAuthAdapter | undefined>)[provider]
  if (!adapter) {
    throw oauthError(OAuthErrorCode.PROVIDER_UNKNOWN, `No OAuth login for provider "${provider}". Known: ${Object.keys(adapters).join(', ')}.`, { httpStatus: 404 })
  }
  return adapter
}

/** Flows live in the kv port (any instance can report or complete them); listeners and pollers live here. */
export function createFlowManager(deps: FlowManagerDeps): FlowManager {
  const ctx: FlowContext = { ...deps, active: new Map(), closing: new Set() }
  return {
    start: (provider, flow, ownerId) => startFlow(ctx, provider, flow, ownerId ?? null),
    get: async (flowId) => publicView(await mustGet(ctx, flowId), ctx.now()),
    complete: (flowId, input) => completeFlow(ctx, flowId, input),
    async close() {
      await Promise.all([...ctx.active.keys()].map((flowId) => finish(ctx, flowId).catch(() => undefined)))
      await Promise.all([...ctx.closing])
    },
  }
}

function allowedAdapter(ctx: FlowContext, provider: string, kind: FlowKind): OAuthAdapter {
  const adapter = adapterFor(ctx.adapters, provider)
  const policy = ctx.policies[adapter.id]
  if (!policy.enabled) {
    throw oauthError(OAuthErrorCode.PROVIDER_DISABLED, `${adapter.displayName} login is turned off by policy: ${policy.note} ${policy.howToEnable}`, { httpStatus: 403, details: { provider: adapter.id, policy } })
  }
  if (!adapter.flows.includes(kind)) {
    throw oauthError(OAuthErrorCode.FLOW_UNSUPPORTED, `${adapter.displayName} has no "${kind}" flow; use one of: ${adapter.flows.join(', ')}.`, { details: { flows: adapter.flows } })
  }
  return adapter
}

async function startFlow(ctx: FlowContext, provider: string, requested: FlowKind | undefined, ownerId: string | null): Promise<FlowView & { policy: OAuthPolicy }> {
  const kind = requested ?? 'browser'
  const adapter = allowedAdapter(ctx, provider, kind)
  const now = ctx.now()
  const record: FlowRecord = {
    flowId: randomToken(18), provider: adapter.id, flow: kind, status: 'pending', createdAt: now.toISOString(), ownerId,
    expiresAt: new Date(now.getTime() + adapter.flowTtlMs).toISOString(), progress: [],
  }
  const flow: ActiveFlow = { abort: new AbortController() }
  try {
    if (kind === 'device') await beginDevice(ctx, record, adapter)
    else await beginAuthorization(ctx, record, adapter, flow)
    await ctx.flows.put(record)
  } catch (error) {
    await flow.listener?.close()
    throw error
  }
  ctx.active.set(record.flowId, flow)
  // A device flow's poller stops at the code's expiry itself.
  if (kind === 'device') void runDevice(ctx, record, adapter, flow)
  else expireLater(ctx, record, flow)
  return { ...publicView(record, ctx.now()), policy: ctx.policies[adapter.id] }
}

async function completeFlow(ctx: FlowContext, flowId: string, input: CompletionInput): Promise<FlowView> {
  const record = await mustGet(ctx, flowId)
  if (record.flow === 'device') throw oauthError(OAuthErrorCode.FLOW_UNSUPPORTED, 'A device flow completes by itself once the code is approved; poll its status instead.')
  assertPending(record, ctx.now())
  const { code, state } = parseCompletion(input)
  try {
    assertState(record, input.redirectUrl ? (state ?? '') : state)
  } catch (error) {
    await ctx.flows.update(flowId, (r) => addProgress(r, ctx.now(), 'Rejected a pasted code whose state does not match this flow.'))
    throw error
  }
  try {
    return publicView(await exchangeAndStore(ctx, flowId, code), ctx.now())
  } catch (error) {
    await ctx.flows.update(flowId, (r) => r.status === 'pending' && addProgress(r, ctx.now(), `The pasted code was not accepted: ${errorSummary(error).message}`))
    throw error
  }
}

async function beginDevice(ctx: FlowContext, record: FlowRecord, adapter: OAuthAdapter): Promise<void> {
  const grant = await adapter.startDevice!()
  record.device = { deviceAuthId: grant.deviceAuthId, userCode: grant.userCode, verificationUri: grant.verificationUri, intervalMs: grant.intervalMs, polls: 0 }
  record.expiresAt = new Date(ctx.now().getTime() + grant.expiresInMs).toISOString()
  addProgress(record, ctx.now(), `Open ${grant.verificationUri} and enter the code ${grant.userCode}.`)
}

async function runDevice(ctx: FlowContext, record: FlowRecord, adapter: OAuthAdapter, flow: ActiveFlow): Promise<void> {
  await runDeviceFlow({
    record, adapter, signal: flow.abort.signal, slowDownMs: ctx.slowDownMs, flows: ctx.flows, now: ctx.now,
    complete: (tokens) => exchangeAndStore(ctx, record.flowId, '', tokens),
    fail: (error, status) => fail(ctx, record.flowId, error, status),
  }).catch((error: unknown) => ctx.logger.error('oauth device flow crashed', { flowId: record.flowId, error: String(error) }))
}
