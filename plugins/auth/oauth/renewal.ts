import type { CredentialStore, Logger } from '../../../kernel/index.js'
import { PROVIDER_IDS, type ProviderId } from './adapter.js'
import type { AuthOauthOptions } from './config.js'
import { errorSummary } from './errors.js'
import type { OAuthPolicy } from './policy.js'
import type { Refresher } from './refresher.js'
import { renewAt } from './schedule.js'

export const RENEWAL_JOB = 'auth-oauth.refresh'

export interface RenewalReport {
  checked: number
  refreshed: string[]
  failed: Array<{ id: string; code: string }>
  /** Due, but backing off after failures (or given up after `maxFailures`). */
  deferred: string[]
}

export interface RenewalDeps {
  policies: Record<ProviderId, OAuthPolicy>
  credentialStore: CredentialStore
  refresher: Refresher
  now: () => Date
  logger: Logger
  refresh: AuthOauthOptions['refresh']
}

/**
 * One pass of the background job: every active OAuth credential of an enabled provider whose
 * renewal moment has come is refreshed (under the per-credential lock); failures back off
 * exponentially and stop after `maxFailures` until a refresh on access succeeds.
 */
export async function runRenewal(deps: RenewalDeps): Promise<RenewalReport> {
  const report: RenewalReport = { checked: 0, refreshed: [], failed: [], deferred: [] }
  const now = deps.now().getTime()
  for (const provider of PROVIDER_IDS) {
    if (!deps.policies[provider].enabled) continue
    const credentials = (await deps.credentialStore.list({ providerId: provider })).filter((c) => c.mode === 'oauth' && c.status === 'active')
    for (const info of credentials) {
      report.checked += 1
      const due = renewAt(info, deps.refresh)
      if (due === null || due > now) continue
      const failure = await deps.refresher.failureState(info.id)
      if (failure && (failure.failures >= deps.refresh.maxFailures || Date.parse(failure.nextAttemptAt) > now)) {
        report.deferred.push(info.id)
        continue
      }
      try {
        await deps.refresher.refresh(info.id, { reason: 'proactive', seenExpiresAt: info.expiresAt })
        report.refreshed.push(info.id)
      } catch (error) {
        report.failed.push({ id: info.id, code: errorSummary(error).code })
      }
    }
  }
  if (report.refreshed.length || report.failed.length) deps.logger.info('oauth renewal pass', { ...report })
  return report
}
