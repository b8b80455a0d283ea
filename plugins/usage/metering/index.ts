import { AdmitStage, definePlugin, protocol, ShutdownStage } from '../../../kernel/index.js'
import type {} from '../../persistence/postgres/services.js'
import { createBudgets } from './budget.js'
import { createCallTracker } from './call-tracker.js'
import { configSchema, toLimit } from './config.js'
import { createLineage } from './lineage.js'
import { createMeter } from './meter.js'
import { USAGE_MIGRATION } from './migration.js'
import { usageRoutes } from './routes.js'
import { createUsageService } from './service.js'

/**
 * Usage and cost of every model call: a ledger row per call (tokens by kind, cost in pico-USD from a
 * pricing catalogue, latency, activity), attribution of each call to activities, totals per message,
 * session and session tree, budgets asked through the permission mechanism, /api usage routes and
 * live `usage.updated` events.
 */
export default definePlugin({
  name: 'usage-metering',
  version: '0.1.0',
  description: 'Token usage and cost per model call, attributed to activities; totals, budgets, usage API and events.',
  dependsOn: ['persistence-postgres'],
  configSchema,
  register(ctx) {
    const db = () => ctx.resolve('persistencePostgres')
    ctx.resolve('persistencePostgres').addMigration(USAGE_MIGRATION)
    const lineageOf = createLineage(() => ctx.resolve('sessionStore'))
    const eventBus = () => ctx.resolve('eventBus')
    const meter = createMeter({
      db,
      lineageOf,
      currentTurnOf: (id) => tracker.currentTurnOf(id),
      pricing: ctx.options.pricing,
      ids: { next: (prefix) => ctx.resolve('ids').next(prefix) },
      clock: { now: () => ctx.resolve('clock').now() },
      logger: ctx.logger,
      emit(stream, sessionId, data) {
        const name = stream === 'global' ? protocol.GLOBAL_STREAM : protocol.sessionStream(sessionId)
        eventBus()
          .append(name, { type: 'usage.updated', sessionId, data })
          .catch((error: unknown) => ctx.logger.error('usage.updated could not be appended', { sessionId, error: String(error) }))
      },
    })
    const tracker = createCallTracker((call) => {
      meter.record(call).catch((error: unknown) => {
        // Metering never fails a turn: the call stays unmetered, and the log says which one.
        ctx.logger.error('a model call could not be metered', { sessionId: call.sessionId, turnId: call.turnId, step: call.step, model: `${call.provider}/${call.model}`, error: String(error) })
      })
    })

    const service = createUsageService({ meter, db, lineageOf, sessionStore: () => ctx.resolve('sessionStore'), pricing: ctx.options.pricing })
    ctx.provide('usageMetering', () => service)
    for (const route of usageRoutes(() => service, () => ctx.resolve('clock').now())) ctx.registries.routes.add(route)

    ctx.hooks.request.sent.tap({}, (request, turn) => tracker.requestSent(request, turn))
    ctx.hooks.stream.toolCall.tap({}, (call, streamCtx) => tracker.toolCall(call, streamCtx))
    ctx.hooks.stream.usage.tap({}, (usage, streamCtx) => tracker.usage(usage, streamCtx))
    ctx.hooks.stream.finished.tap({}, (_finish, streamCtx) => tracker.finished(streamCtx))

    const limits = { session: toLimit(ctx.options.budgets.session), day: toLimit(ctx.options.budgets.day) }
    if (limits.session || limits.day) {
      const admit = createBudgets({ limits, db, lineageOf, pricing: ctx.options.pricing, kv: () => ctx.resolve('kv'), clock: { now: () => ctx.resolve('clock').now() }, logger: ctx.logger })
      ctx.hooks.request.admit.tapPromise({ stage: AdmitStage.BUDGET }, admit)
    }
    ctx.hooks.lifecycle.shutdown.tapPromise({ stage: ShutdownStage.DEFAULT }, () => meter.flush())
  },
})
