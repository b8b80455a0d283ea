import type { CredentialStore, KeyValue, Locks, Logger } from '../../../kernel/index.js'
import type { AdapterContext, OAuthAdapter, ProviderId } from './adapter.js'
import { createAnthropicAdapter } from './anthropic.js'
import { createCodexAdapter } from './codex.js'
import type { AuthOauthOptions } from './config.js'
import { createFlowManager } from './flows.js'
import { createFlowStore } from './flow-store.js'
import { createGeminiAdapter } from './gemini.js'
import type { OAuthPolicy } from './policy.js'
import { createRefresher } from './refresher.js'
import { runRenewal } from './renewal.js'
import type { AuthOauthService } from './services.js'
import { oauthLogout, oauthStatus } from './status.js'

export interface AuthOauthDeps {
  options: AuthOauthOptions
  policies: Record<ProviderId, OAuthPolicy>
  kv: KeyValue
  locks: Locks
  credentialStore: CredentialStore
  now: () => Date
  version: string
  logger: Logger
}

export function createAdapters(options: AuthOauthOptions, ctx: AdapterContext): Record<ProviderId, OAuthAdapter> {
  return {
    anthropic: createAnthropicAdapter(options.anthropic, ctx),
    codex: createCodexAdapter(options.codex, options.device, ctx),
    gemini: createGeminiAdapter(options.gemini, ctx),
  }
}

/** The `authOauth` service: adapters, flow manager, refresher and status wired over the kernel ports. */
export function createAuthOauthService(deps: AuthOauthDeps): AuthOauthService {
  const { options, policies } = deps
  const adapters = createAdapters(options, { userAgent: `AgentPlatform/${deps.version}`, timeoutMs: options.networkTimeoutMs, now: deps.now })
  const flows = createFlowManager({
    adapters, policies,
    scopes: { anthropic: options.anthropic.scopes, codex: options.codex.scopes, gemini: options.gemini.scopes },
    flows: createFlowStore({ kv: deps.kv, retentionMs: options.flowRetentionMs, now: deps.now }),
    locks: deps.locks, credentialStore: deps.credentialStore, now: deps.now, logger: deps.logger, slowDownMs: options.device.slowDownMs,
  })
  const refresher = createRefresher({ adapters, credentialStore: deps.credentialStore, locks: deps.locks, kv: deps.kv, now: deps.now, logger: deps.logger, refresh: options.refresh })
  const statusDeps = { adapters, policies, credentialStore: deps.credentialStore, refresher, kv: deps.kv }
  let closed = false
  return {
    start: (provider, flow, ownerId) => flows.start(provider, flow, ownerId),
    flow: (flowId) => flows.get(flowId),
    complete: (flowId, input) => flows.complete(flowId, input),
    logout: (provider, ownerId) => oauthLogout(statusDeps, provider, ownerId ?? null),
    status: (ownerId) => oauthStatus(statusDeps, ownerId ?? null),
    refresh: (id, reason, failedAccessToken) => refresher.refresh(id, { reason, failedAccessToken }),
    runRenewal: async () =>
      closed
        ? { checked: 0, refreshed: [], failed: [], deferred: [] }
        : runRenewal({ policies, credentialStore: deps.credentialStore, refresher, now: deps.now, logger: deps.logger, refresh: options.refresh }),
    policies: () => policies,
    close: async () => {
      closed = true
      await flows.close()
    },
  }
}
