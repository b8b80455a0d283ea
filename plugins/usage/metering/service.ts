import { PlatformError, type SessionStore } from '../../../kernel/index.js'
import type { PersistencePostgresService } from '../../persistence/postgres/services.js'
import { UsageErrorCode } from './errors.js'
import type { createLineage } from './lineage.js'
import type { createMeter } from './meter.js'
import { lookupPrice } from './pricing.js'
import { sessionUsage, usageReport } from './report.js'
import type { UsageMeteringService } from './services.js'

/** The `usageMetering` service: reads go after what this instance has metered so far (writes trail the turn). */
export function createUsageService(deps: {
  meter: ReturnType<typeof createMeter>
  db: () => PersistencePostgresService
  lineageOf: ReturnType<typeof createLineage>
  sessionStore: () => SessionStore
  pricing: Parameters<typeof lookupPrice>[2]
}): UsageMeteringService {
  const { meter, db, lineageOf } = deps
  return {
    record: (call) => meter.record(call),
    flush: () => meter.flush(),
    async sessionUsage(sessionId) {
      const store = deps.sessionStore()
      if (!(await store.getSession(sessionId))) {
        throw new PlatformError(UsageErrorCode.SESSION_NOT_FOUND, `No session has the id "${sessionId}"; list sessions with GET /api/sessions.`, { httpStatus: 404, details: { sessionId } })
      }
      await meter.flush()
      const { rootId } = await lineageOf(sessionId)
      return sessionUsage(db(), sessionId, rootId, async (id) => {
        const session = await store.getSession(id)
        return session ? { agent: session.agent, title: session.title } : null
      })
    },
    async report(range) {
      await meter.flush()
      return usageReport(db(), range)
    },
    priceOf: (provider, model) => lookupPrice(provider, model, deps.pricing),
  }
}
