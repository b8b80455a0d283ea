import { definePlugin } from '../../../kernel/index.js'
import type {} from '../../persistence/postgres/services.js'
import { configSchema } from './config.js'
import { CREDENTIAL_MIGRATION, OWNER_MIGRATION } from './migration.js'
import { credentialRoutes } from './routes.js'
import { createVaultRuntime } from './runtime.js'
import './services.js'

/**
 * Stored credentials in PostgreSQL, AES-256-GCM encrypted under a versioned key ring: replaces the
 * kernel's in-memory credentialStore port, serves /api/auth/credentials, adds `vault-rotate`.
 */
export default definePlugin({
  name: 'auth-vault',
  version: '0.1.0',
  description: 'Encrypted credential store (AES-256-GCM, rotating key ring) in the auth_credential table.',
  dependsOn: ['persistence-postgres'],
  configSchema,
  register(ctx) {
    const runtime = createVaultRuntime({ options: ctx.options, dataDir: ctx.kernelConfig.dataDir, logger: ctx.logger })
    // persistence-postgres registered first (dependsOn): the table is migrated in its lifecycle.start.
    ctx.resolve('persistencePostgres').addMigration(CREDENTIAL_MIGRATION)
    ctx.resolve('persistencePostgres').addMigration(OWNER_MIGRATION)
    ctx.replacePort('credentialStore', () => runtime.store)
    ctx.provide('authVault', () => runtime.service)
    ctx.registries.commands.add(runtime.rotateCommand)
    for (const route of credentialRoutes({ store: runtime.store, providers: ctx.registries.providers })) ctx.registries.routes.add(route)
    ctx.hooks.lifecycle.start.tapPromise({}, () =>
      runtime.start({ db: ctx.resolve('persistencePostgres'), clock: ctx.resolve('clock'), ids: ctx.resolve('ids') }),
    )
    ctx.hooks.lifecycle.shutdown.tapPromise({}, async () => runtime.stop())
  },
})
