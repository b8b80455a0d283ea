import { definePlugin } from '../../../kernel/index.js'
import { configSchema } from './config.js'
import { monitorRoutes } from './routes.js'
import { createMonitorRuntime } from './runtime.js'
import './services.js'

/** GET /api/system, a system.metrics event every intervalMs on the global stream, and Prometheus /metrics. */
export default definePlugin({
  name: 'monitor-system',
  version: '0.1.0',
  description: 'System monitoring: CPU, memory, event loop, GC, turns, streams, jobs, model calls, database and Redis health.',
  // All optional: each only adds its figure (open streams, health, queue depth) when loaded.
  optionalDependsOn: ['server-http', 'persistence-postgres', 'realtime-redis', 'jobs-agenda'],
  configSchema,
  register(ctx) {
    const runtime = createMonitorRuntime(ctx)
    ctx.provide('monitorSystem', () => runtime.service)
    for (const route of monitorRoutes({ service: runtime.service, prometheus: ctx.options.prometheus })) ctx.registries.routes.add(route)

    ctx.hooks.request.sent.tap({}, (_request, turn) => runtime.calls.sent(turn.step === 1))
    ctx.hooks.stream.finished.tap({}, ({ reason }, call) => {
      const outcome = reason === 'error' ? 'error' : reason === 'aborted' ? 'aborted' : 'ok'
      runtime.calls.completed({ provider: call.provider ?? 'unknown', model: call.model ?? 'unknown', outcome, latencyMs: Date.now() - (call.startedAt ?? Date.now()) })
    })
    // Side calls (titles, summaries: step 0) fire no stream.finished; their usage chunk marks their end.
    ctx.hooks.stream.usage.tap({}, (_usage, call) => {
      if (call.step !== 0) return
      runtime.calls.completed({ provider: call.provider ?? 'unknown', model: call.model ?? 'unknown', outcome: 'ok', latencyMs: Date.now() - (call.startedAt ?? Date.now()) })
    })
    ctx.hooks.session.start.tapPromise({}, async (session) => runtime.sessionStarted(session.id))
    ctx.hooks.session.ended.tapPromise({}, async (session) => runtime.sessionEnded(session.id))

    ctx.hooks.lifecycle.start.tapPromise({}, async () => runtime.start())
    ctx.hooks.lifecycle.ready.tap({}, () => runtime.startTicker())
    ctx.hooks.lifecycle.shutdown.tapPromise({}, () => runtime.stop())
  },
})
