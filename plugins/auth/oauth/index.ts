import { definePlugin } from '../../../kernel/index.js'
import { configSchema } from './config.js'
import { createOAuthCredentialSource } from './credential-source.js'
import { resolvePolicies } from './policy.js'
import { RENEWAL_JOB } from './renewal.js'
import { oauthRoutes } from './routes.js'
import { createAuthOauthService } from './service.js'
import type { AuthOauthService } from './services.js'
import './services.js'

/** OAuth logins (Claude subscription, ChatGPT/Codex, Google Code Assist) driven through the HTTP API. */
export default definePlugin({
  name: 'auth-oauth',
  version: '0.1.0',
  description: 'OAuth flows (browser + loopback callback, code paste, device code), stored logins, refresh on access and in the background.',
  optionalDependsOn: ['realtime-redis', 'jobs-agenda', 'auth-vault'],
  configSchema,
  register(ctx) {
    const options = ctx.options
    const policies = resolvePolicies(options)
    ctx.provide(
      'authOauth',
      (c) =>
        createAuthOauthService({
          options, policies, kv: c.kv, locks: c.locks, credentialStore: c.credentialStore,
          now: () => c.clock.now(), version: c.version, logger: ctx.logger,
        }),
      { deps: ['kv', 'locks', 'credentialStore', 'clock', 'version'] },
    )
    const service = () => ctx.resolve<AuthOauthService>('authOauth')
    ctx.registries.credentialSources.add(
      createOAuthCredentialSource({
        service,
        store: () => ctx.resolve('credentialStore'),
        skewMs: (provider) => options[provider].refreshSkewMs,
        now: () => ctx.resolve('clock').now(),
        logger: ctx.logger,
      }),
    )
    for (const route of oauthRoutes(service)) ctx.registries.routes.add(route)
    ctx.hooks.lifecycle.start.tapPromise({}, async () => {
      const scheduler = ctx.resolve('scheduler')
      scheduler.define({ name: RENEWAL_JOB, run: async () => void (await service().runRenewal()) })
      await scheduler.every(RENEWAL_JOB, options.refresh.checkEveryMs)
      const summary = Object.fromEntries(Object.entries(policies).map(([id, p]) => [id, `${p.enabled ? 'on' : 'off'} (${p.enabledBy})`]))
      ctx.logger.info('oauth logins', summary)
    })
    ctx.hooks.lifecycle.shutdown.tapPromise({}, () => service().close())
  },
})
