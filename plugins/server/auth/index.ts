import { definePlugin } from '../../../kernel/index.js'
import type {} from '../../persistence/postgres/services.js'
import { tokensCommand } from './commands.js'
import { configSchema } from './config.js'
import { createAuthenticator } from './principal.js'
import { AUTH_MIGRATION, createAuthStore, type AuthStore } from './store.js'
import type { ServerAuthService } from './services.js'
import './services.js'

/** API tokens of named users (admin, member): who calls, checked by server-http on every request. */
export default definePlugin({
  name: 'server-auth',
  version: '0.1.0',
  description: 'API tokens (hashed) of named users, admin or member; loopback without a token is the local admin.',
  dependsOn: ['persistence-postgres'],
  configSchema,
  register(ctx) {
    ctx.resolve('persistencePostgres').addMigration(AUTH_MIGRATION)
    let store: AuthStore | null = null
    const getStore = () => (store ??= createAuthStore(ctx.resolve('persistencePostgres')))
    const authenticate = createAuthenticator({ options: ctx.options, store: getStore, now: () => ctx.resolve('clock').now() })
    const service: ServerAuthService = { authenticate, rateLimitPerMinute: ctx.options.rateLimitPerMinute, corsOrigins: ctx.options.corsOrigins }
    ctx.provide('serverAuth', () => service)
    ctx.registries.commands.add(tokensCommand({ store: getStore, ids: () => ctx.resolve('ids'), now: () => ctx.resolve('clock').now() }))
  },
})
