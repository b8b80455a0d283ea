import { definePlugin } from '../../../kernel/index.js'
import { configSchema } from './config.js'
import { envNamesFor } from './env-names.js'
import { createKeyFileReader } from './key-file.js'
import './services.js'
import { createApiKeySources } from './sources.js'
import { providersRoute, providersStatus, type StatusDeps } from './status.js'

/**
 * API keys by llxprt's precedence: config file key, key file, stored key (credentialStore port),
 * environment variable; plus GET /api/auth/providers (where each provider's key comes from).
 */
export default definePlugin({
  name: 'auth-api-key',
  version: '0.1.0',
  description: 'API key sources (config, key file, stored, environment) and the providers auth status route.',
  optionalDependsOn: ['auth-vault'],
  configSchema,
  register(ctx) {
    const { options, registries } = ctx
    const sources = createApiKeySources({
      options,
      store: () => ctx.resolve('credentialStore'),
      providers: registries.providers,
      keyFiles: createKeyFileReader(ctx.logger),
      env: () => process.env,
    })
    for (const source of sources) registries.credentialSources.add(source)
    const statusDeps: StatusDeps = { options, providers: registries.providers, credentials: () => ctx.resolve('credentials'), logger: ctx.logger }
    registries.routes.add(providersRoute(statusDeps))
    ctx.provide('authApiKey', () => ({
      envNames: (providerId: string) => envNamesFor(providerId, options.env, registries.providers.get(providerId)),
      status: () => providersStatus(statusDeps),
    }))
  },
})
