import t from 'tap'
import { testBackends } from '../../../kernel/testing/backends.js'
import { createTestKernel } from '../../../kernel/testing/index.js'
import { waitFor } from '../../../kernel/testing/wait.js'
import { protocol, type EventBus } from '../../../kernel/index.js'
import { envelopeOf, openSse } from '../../server/http/test-support.js'

const say = (text: string) => [{ type: 'text', text }, { type: 'usage', input: 5, output: 3 }, { type: 'finish', reason: 'stop' }]
const fail = [{ type: 'error', code: 'PROVIDER_STREAM_FAILED', message: 'scripted failure' }]

/** Every key of GET /api/system, so a missing figure fails loudly. */
const TOP_KEYS = ['at', 'cpu', 'database', 'eventLoop', 'gc', 'instance', 'intervalMs', 'jobs', 'memory', 'providers', 'redis', 'sessions', 'streams', 'turns', 'uptime']

/** One Prometheus text sample line: name, optional labels, a number. */
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/

function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const match = SAMPLE.exec(line)
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`)
    samples.set(`${match[1]}${match[2] ?? ''}`, Number(match[3]))
  }
  return samples
}

async function boot(t: { teardown(fn: () => unknown): void }, monitor: Record<string, unknown> = {}) {
  // PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set, else embedded PGlite and in-memory ports.
  const backends = testBackends()
  t.teardown(() => backends.cleanup())
  const tk = await createTestKernel({
    plugins: {
      ...backends.plugins,
      'provider-scripted': { chunkDelayMs: 0, replies: [say('first answer'), fail, say('third answer')] },
      'server-http': { port: 0 },
      'monitor-system': { intervalMs: 100, ...monitor },
    } as never,
  })
  t.teardown(tk.close)
  const base = tk.kernel.addresses[0]
  const system = async () => {
    const response = await fetch(`${base}/api/system`)
    if (response.status !== 200) throw new Error(`GET /api/system answered ${response.status}: ${await response.text()}`)
    return (await response.json()) as protocol.SystemMetrics
  }
  return { tk, base, backends, system }
}

t.test('GET /api/system: every figure, back ends healthy, counters move with turns; /metrics names ours', async (t) => {
  const { base, backends, system } = await boot(t)
  const before = await system()
  t.same(Object.keys(before).sort(), TOP_KEYS)
  t.same(protocol.systemMetricsSchema.safeParse(before).error?.issues, undefined, 'the answer matches its published schema')
  t.match(before, {
    instance: { id: /^inst_/, pid: process.pid, version: String },
    cpu: { userPercent: Number, systemPercent: Number, cores: Number, loadAverage: Array },
    memory: { rssBytes: Number, heapUsedBytes: Number, heapTotalBytes: Number, externalBytes: Number },
    eventLoop: { lagMs: { p50: Number, p99: Number, max: Number }, utilization: Number },
    gc: { count: Number, pauseMs: Number, interval: { count: Number, pauseMs: Number } },
    sessions: { activeTurns: 0, loaded: 0 },
    turns: { started: 0 },
    streams: { open: 0 },
    jobs: { backend: 'agenda', queueDepth: Number },
    providers: { completed: 0, errors: 0, errorRate: 0, latencyMs: { p50: null, p99: null }, byModel: [] },
    database: { kind: backends.external.database ? 'postgres' : 'pglite', ok: true, latencyMs: Number },
    redis: { kind: backends.external.redis ? 'redis' : 'memory', ok: true, latencyMs: Number },
  })

  const post = (path: string, body: unknown) => fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const session = (await (await post('/api/sessions', {})).json()) as protocol.SessionInfo
  const sse = await openSse(`${base}/api/sessions/${session.id}/events`)
  t.teardown(() => sse.close())
  const turn = async (text: string) => {
    await post(`/api/sessions/${session.id}/messages`, { text })
    const frames = await sse.readUntil((f) => f.event === 'turn.completed')
    return envelopeOf<{ data: { finish: string } }>(frames.at(-1)!).data.finish
  }
  t.equal(await turn('hello'), 'stop')
  t.equal(await turn('again'), 'error', 'the second scripted reply is a provider error')

  const after = await system()
  t.equal(after.turns.started, 2)
  t.equal(after.sessions.loaded, 1, 'the session scope is loaded')
  t.equal(after.streams.open, 1, 'the session event stream is open')
  t.match(after.providers, { completed: 2, errors: 1, errorRate: 0.5, latencyMs: { p50: Number, p99: Number } })
  t.ok(after.providers.perSecond > 0)
  t.ok(protocol.systemMetricsSchema.safeParse(after).success)
  t.match(after.providers.byModel, [{ provider: 'scripted', model: 'demo', completed: 2, errors: 1 }])
  await waitFor(async () => (await system()).sessions.activeTurns === 0, 'the turn to release the session')

  const response = await fetch(`${base}/metrics`)
  t.equal(response.status, 200)
  t.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8')
  const samples = parsePrometheus(await response.text())
  t.equal(samples.get('platform_provider_calls_total{provider="scripted",model="demo",outcome="ok"}'), 1)
  t.equal(samples.get('platform_provider_calls_total{provider="scripted",model="demo",outcome="error"}'), 1)
  t.equal(samples.get('platform_provider_latency_seconds_count{provider="scripted",model="demo"}'), 2)
  t.equal(samples.get('platform_turns_started_total'), 2)
  t.equal(samples.get('platform_open_streams'), 1)
  t.equal(samples.get('platform_active_turns'), 0)
  t.equal(samples.get('platform_db_up'), 1)
  t.equal(samples.get('platform_redis_up'), 1)
  t.type(samples.get('platform_job_queue_depth'), 'number')
  t.type(samples.get('process_cpu_user_seconds_total'), 'number', "prom-client's default Node metrics are there")
  t.type(samples.get('nodejs_heap_size_used_bytes'), 'number')
})

t.test('a system.metrics event arrives on the global stream, shaped like GET /api/system', async (t) => {
  const { base } = await boot(t)
  const sse = await openSse(`${base}/api/events`)
  t.teardown(() => sse.close())
  const frames = await sse.readUntil((f) => f.event === 'system.metrics')
  const envelope = envelopeOf<protocol.EventEnvelope<'system.metrics'>>(frames.at(-1)!)
  t.equal(envelope.stream, 'global')
  t.type(envelope.seq, 'number')
  t.same(Object.keys(envelope.data).sort(), TOP_KEYS)
  t.ok(protocol.systemMetricsSchema.safeParse(envelope.data).success, 'the event data matches the published schema')
  // (With Redis the first one may have been sampled just before this stream opened: read on.)
  await sse.readUntil((f) => f.event === 'system.metrics' && envelopeOf<{ data: protocol.SystemMetrics }>(f).data.streams.open === 1)
  t.pass('the stream carrying it is counted')
  t.match(envelope.data.database, { ok: true })
})

t.test('events and /metrics can be turned off', async (t) => {
  const { base, tk, system } = await boot(t, { emitEvents: false, prometheus: false })
  t.equal((await fetch(`${base}/metrics`)).status, 404, 'no /metrics route')
  const sse = await openSse(`${base}/api/events`)
  t.teardown(() => sse.close())
  // Several intervals pass while the stream is open (the ticker keeps closing them), and no event is appended.
  const started = (await system()).uptime.monitorSec
  await waitFor(async () => (await system()).uptime.monitorSec >= started + 0.5, 'five intervals')
  t.equal(await tk.kernel.container.resolve<EventBus>('eventBus').head('global'), 0, 'nothing on the global stream')
})
