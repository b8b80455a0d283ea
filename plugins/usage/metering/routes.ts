import { z } from 'zod'
import { PlatformError, type RouteDefinition } from '../../../kernel/index.js'
import { UsageErrorCode } from './errors.js'
import type { UsageMeteringService } from './services.js'

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/
const when = z.string().refine((v) => !Number.isNaN(Date.parse(v)), { message: 'an ISO date (2026-03-01) or date-time (2026-03-01T12:00:00Z)' })
export const usageQuery = z
  .object({ from: when.optional(), to: when.optional(), groupBy: z.enum(['day', 'provider', 'model', 'activity', 'session', 'tool']).default('day') })
  .strict()
const idParams = z.object({ id: z.string().min(1).max(200) }).strict()
const DAY_MS = 86_400_000

/**
 * The range of GET /api/usage: `from` inclusive, `to` exclusive; a date-only `to` includes that whole
 * day (UTC). Defaults: the last 30 days up to now.
 */
export function rangeOf(query: { from?: string; to?: string }, now: Date): { from: Date; to: Date } {
  const to = query.to ? new Date(Date.parse(query.to) + (DATE_ONLY.test(query.to) ? DAY_MS : 0)) : now
  const from = query.from ? new Date(Date.parse(query.from)) : new Date(to.getTime() - 30 * DAY_MS)
  if (from.getTime() >= to.getTime()) {
    throw new PlatformError(UsageErrorCode.RANGE_INVALID, `The range is empty: from (${from.toISOString()}) must be before to (${to.toISOString()}). Fix: swap them, or widen the range.`, {
      httpStatus: 400,
      details: { from: from.toISOString(), to: to.toISOString() },
    })
  }
  return { from, to }
}

export function usageRoutes(service: () => UsageMeteringService, now: () => Date): RouteDefinition[] {
  return [
    {
      id: 'usage-metering.session',
      method: 'GET',
      path: '/api/sessions/:id/usage',
      schema: { params: idParams },
      handler: async ({ params }) => ({ body: await service().sessionUsage(params.id) }),
    },
    {
      id: 'usage-metering.report', access: 'admin',
      method: 'GET',
      path: '/api/usage',
      schema: { querystring: usageQuery },
      handler: async ({ query }) => {
        const parsed = query as z.output<typeof usageQuery>
        return { body: await service().report({ ...rangeOf(parsed, now()), groupBy: parsed.groupBy }) }
      },
    },
  ]
}
