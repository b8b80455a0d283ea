import { protocol, type RouteDefinition } from '../../../kernel/index.js'
import type { MonitorSystemService } from './services.js'

export const SYSTEM_PATH = '/api/system'
export const METRICS_PATH = '/metrics'
/** Prometheus text exposition format 0.0.4 (what prom-client renders). */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

type DocumentedRoute = RouteDefinition & { summary: string; schema?: { response?: unknown } }

/**
 * GET /api/system (JSON SystemMetrics) and, when `prometheus` is on, GET /metrics (Prometheus text).
 * Each route is declared apart from its use: `summary` and `schema.response` are extra fields that
 * server-http's OpenAPI builder reads, beyond what RouteDefinition types.
 */
export function monitorRoutes(deps: { service: MonitorSystemService; prometheus: boolean }): RouteDefinition[] {
  const system: DocumentedRoute = {
    id: 'monitor-system.system',
    method: 'GET',
    path: SYSTEM_PATH,
    summary: "This server instance's system metrics: CPU, memory, event loop, GC, turns, streams, jobs, model calls, database and Redis health.",
    schema: { response: protocol.systemMetricsSchema },
    handler: async () => ({ body: await deps.service.snapshot() }),
  }
  if (!deps.prometheus) return [system]
  const metrics: DocumentedRoute = {
    id: 'monitor-system.metrics',
    method: 'GET',
    path: METRICS_PATH,
    summary: `Prometheus text exposition (${PROMETHEUS_CONTENT_TYPE}): prom-client's default Node metrics and the platform_* metrics.`,
    handler: async () => {
      // server-http sets the content type a handler names; RouteDefinition's result type only knows JSON bodies.
      const result = { body: (await deps.service.prometheusText()) ?? '', contentType: PROMETHEUS_CONTENT_TYPE }
      return result
    },
  }
  return [system, metrics]
}
