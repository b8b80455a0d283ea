import { definePlugin } from '../../../kernel/index.js'
import { configSchema } from './config.js'
import { createJobsRuntime } from './runtime.js'
import './services.js'

/** The scheduler port on agenda + PostgreSQL: periodic jobs run once across server instances. */
export default definePlugin({
  name: 'jobs-agenda',
  version: '0.1.0',
  description: 'Job scheduler on agenda with its tables in the persistence schema; runs platform.maintenance.',
  dependsOn: ['persistence-postgres'],
  configSchema,
  register(ctx) {
    const runtime = createJobsRuntime({ options: ctx.options, logger: ctx.logger })
    ctx.replacePort('scheduler', () => runtime.scheduler)
    ctx.provide('jobsAgenda', () => runtime.service)
    ctx.hooks.lifecycle.start.tapPromise({}, () => runtime.start(ctx.resolve('persistencePostgres')))
    ctx.hooks.lifecycle.shutdown.tapPromise({}, () => runtime.stop())
  },
})
