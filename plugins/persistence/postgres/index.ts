import { definePlugin } from '../../../kernel/index.js'
import { configSchema } from './config.js'
import { createPersistenceRuntime } from './runtime.js'
import './services.js'

/**
 * PostgreSQL persistence: the sessionStore port on MikroORM (PostgreSqlDriver), an external server
 * when `url` is set, else embedded PGlite served on a loopback socket. Migrates at start.
 */
export default definePlugin({
  name: 'persistence-postgres',
  version: '0.1.0',
  description: 'Sessions, messages and parts in PostgreSQL (external server or embedded PGlite).',
  configSchema,
  register(ctx) {
    const runtime = createPersistenceRuntime({ options: ctx.options, kernelConfig: ctx.kernelConfig, logger: ctx.logger })
    // stop() is idempotent: the disposers close the database even if a shutdown tap before ours failed.
    ctx.provide('persistencePostgres', () => runtime.service, { dispose: () => runtime.stop() })
    ctx.replacePort('sessionStore', () => runtime.sessionStore, { dispose: () => runtime.stop() })
    ctx.hooks.lifecycle.start.tapPromise({}, () => runtime.start())
    ctx.hooks.lifecycle.shutdown.tapPromise({}, () => runtime.stop())
  },
})
