import t from 'tap'
import { Kernel } from './kernel.js'
import { createOutsideFolder } from './testing/outside-folder.js'
import { createLogger } from './ports/basics.js'
import { formatDescription } from './describe.js'
import { isPlatformError, type PlatformError } from './errors.js'

/** A configurable third-party-style plugin that logs what happens to globalThis.__events. */
const probe = (name: string, deps: string[] = []) => `
import { definePlugin, StartStage, ShutdownStage } from 'agent-platform/kernel'
import { z } from 'zod'
const log = (e) => { globalThis.__events.push(e) }
export default definePlugin({
  name: '${name}',
  version: '1.2.3',
  dependsOn: ${JSON.stringify(deps)},
  configSchema: z.object({
    startMs: z.number().default(0),
    shutdownMs: z.number().default(0),
    failWarmup: z.boolean().default(false),
    throwOnSent: z.boolean().default(false),
    listen: z.boolean().default(false),
    drain: z.boolean().default(false),
  }),
  register(ctx) {
    log('register:${name}')
    const o = ctx.options
    ctx.hooks.lifecycle.start.tapPromise({ stage: o.listen ? StartStage.LISTEN : StartStage.DEFAULT }, async () => {
      log('start:${name}')
      if (o.startMs) await new Promise((r) => setTimeout(r, o.startMs))
    })
    ctx.hooks.lifecycle.warmup.tapPromise({}, async () => {
      log('warmup:${name}')
      if (o.failWarmup) throw new Error('catalog unreachable')
    })
    ctx.hooks.lifecycle.ready.tap({}, () => log('ready:${name}'))
    ctx.hooks.lifecycle.shutdown.tapPromise({ stage: o.drain ? ShutdownStage.DRAIN : undefined }, async () => {
      log('shutdown:${name}')
      if (o.shutdownMs) await new Promise((r) => setTimeout(r, o.shutdownMs))
    })
    if (o.throwOnSent) ctx.hooks.request.sent.tap({}, () => { throw new Error('observer broke') })
  },
})
`
const outside = createOutsideFolder({
  'first.ts': probe('ext-first'),
  'second.ts': probe('ext-second', ['ext-first']),
  'third.ts': probe('ext-third', ['ext-second']),
  'platform.config.ts': '',
})
t.teardown(() => outside.remove())
const configFile = outside.path('platform.config.ts')
const events = () => (globalThis as unknown as { __events: string[] }).__events
t.beforeEach(() => {
  ;(globalThis as unknown as { __events: string[] }).__events = []
})

function boot(plugins: Record<string, Record<string, unknown>>, kernel: Record<string, unknown> = {}, lines: string[] = []) {
  const logger = createLogger({ level: 'debug', write: (l) => lines.push(l) })
  const entries = Object.fromEntries(Object.entries(plugins).map(([id, o]) => [id, { resolve: `./${id.slice(4)}.ts`, ...o }]))
  return Kernel.boot({ configFile, logger, config: { kernel: kernel as never, plugins: entries } })
}

t.test('boot runs register, start (dependency order, LISTEN last), warmup, ready; shutdown runs in reverse with DRAIN first', async (t) => {
  const k = await boot({ 'ext-third': {}, 'ext-first': { listen: true }, 'ext-second': { drain: true } })
  t.equal(k.state, 'ready')
  const booted = events().slice()
  t.same(booted.slice(0, 3), ['register:ext-first', 'register:ext-second', 'register:ext-third'])
  t.same(booted.slice(3, 6), ['start:ext-second', 'start:ext-third', 'start:ext-first'], 'StartStage.LISTEN runs after every default start tap')
  t.same(booted.slice(6, 9).sort(), ['warmup:ext-first', 'warmup:ext-second', 'warmup:ext-third'])
  t.same(booted.slice(9), ['ready:ext-first', 'ready:ext-second', 'ready:ext-third'])
  events().length = 0
  await k.close('test')
  t.same(events(), ['shutdown:ext-second', 'shutdown:ext-third', 'shutdown:ext-first'], 'DRAIN first, then reverse dependency order')
  t.equal(k.state, 'stopped')
})

t.test('a start tap that hangs fails boot with a timeout naming plugin and hook', async (t) => {
  let error: PlatformError | undefined
  try {
    await boot({ 'ext-first': { startMs: 5_000 } }, { timeouts: { startMs: 100 } })
  } catch (e) {
    error = e as PlatformError
  }
  t.ok(error && isPlatformError(error))
  t.equal(error?.code, 'KERNEL_HOOK_TIMEOUT')
  t.match(error?.message, /Plugin ext-first did not finish lifecycle\.start within 100 ms/)
  t.same(error?.details, { plugin: 'ext-first', hook: 'lifecycle.start', timeoutMs: 100 })
  t.ok(events().includes('shutdown:ext-first'), 'a failed boot still shuts down what started')
})

t.test('a slow shutdown is cut by the shutdown timeout and the kernel still stops', async (t) => {
  const lines: string[] = []
  const k = await boot({ 'ext-first': { shutdownMs: 5_000 } }, { timeouts: { shutdownMs: 150 } }, lines)
  const started = Date.now()
  await k.close('test')
  t.ok(Date.now() - started < 2_000, 'close returned promptly')
  t.equal(k.state, 'stopped')
  t.ok(lines.some((l) => l.includes('KERNEL_SHUTDOWN_TIMEOUT')), 'the timeout is logged with its code')
})

t.test('warmup is best effort: a failing warmup is logged and shown by describe(), boot goes on', async (t) => {
  const lines: string[] = []
  const k = await boot({ 'ext-first': { failWarmup: true }, 'ext-second': {} }, {}, lines)
  t.teardown(() => k.close())
  t.equal(k.state, 'ready')
  const d = k.describe()
  t.equal(d.plugins.find((p) => p.id === 'ext-first')?.warmupError, 'catalog unreachable')
  const logged = lines.map((l) => JSON.parse(l)).find((l) => l.hook === 'lifecycle.warmup')
  t.match(logged, { level: 'error', plugin: 'ext-first', hook: 'lifecycle.warmup', error: 'catalog unreachable' })
})

t.test('notify() isolates notification taps: the error is logged with plugin and hook, never thrown', async (t) => {
  const lines: string[] = []
  const k = await boot({ 'ext-first': { throwOnSent: true } }, {}, lines)
  t.teardown(() => k.close())
  await t.resolves(k.notify(k.hooks.request.sent, {} as never, {} as never))
  const logged = lines.map((l) => JSON.parse(l)).find((l) => l.hook === 'request.sent')
  t.match(logged, { plugin: 'ext-first', hook: 'request.sent', error: 'observer broke' })
})

t.test('interceptors refuse tapAsync and tap names that are not loaded plugins', async (t) => {
  const k = await boot({ 'ext-first': {} })
  t.teardown(() => k.close())
  t.throws(() => k.hooks.request.admit.tapAsync({ name: 'ext-first' }, (_r, _t, cb) => cb()), { code: 'KERNEL_HOOK_TAP_ASYNC' })
  t.throws(() => k.hooks.request.admit.tapPromise({ name: 'not-loaded' }, async () => undefined), { code: 'KERNEL_HOOK_TAP_NAME' })
  t.doesNotThrow(() => k.hooks.request.admit.tapPromise({ name: 'ext-first' }, async () => undefined))
})

t.test('an imperative tap on the turn path times out with plugin and hook named', async (t) => {
  const k = await boot({ 'ext-first': {} }, { timeouts: { tapMs: 50 } })
  t.teardown(() => k.close())
  k.hooks.request.admit.tapPromise({ name: 'ext-first' }, () => new Promise(() => undefined))
  await t.rejects(k.hooks.request.admit.promise({} as never, {} as never), { code: 'KERNEL_HOOK_TIMEOUT', message: /ext-first did not finish request\.admit within 50 ms/ })
})

t.test('hooks are frozen', async (t) => {
  const k = await boot({})
  t.teardown(() => k.close())
  t.ok(Object.isFrozen(k.hooks) && Object.isFrozen(k.hooks.request))
  t.throws(() => {
    ;(k.hooks as unknown as Record<string, unknown>).extra = {}
  })
})

t.test('describe() lists plugins with versions, start times, dependencies and the hooks they tap', async (t) => {
  const k = await boot({ 'ext-first': { listen: true }, 'ext-second': {} })
  t.teardown(() => k.close())
  const d = k.describe()
  t.same(d.plugins.map((p) => p.id), ['ext-first', 'ext-second'])
  const second = d.plugins[1]
  t.equal(second.version, '1.2.3')
  t.same(second.dependsOn, ['ext-first'])
  t.type(second.startMs, 'number')
  t.ok(second.hooks.includes('lifecycle.start') && second.hooks.includes('lifecycle.shutdown@-2'), 'shutdown stage assigned from reverse order')
  t.ok(d.plugins[0].hooks.includes('lifecycle.start@1000'))
  const start = d.hooks.find((h) => h.hook === 'lifecycle.start')
  t.same(start?.taps.map((x) => x.plugin), ['ext-second', 'ext-first'], 'taps listed in run order (LISTEN last)')
  const text = formatDescription(d)
  t.match(text, /├─ ext-first@1\.2\.3 \[started\] start [\d.]+ ms, warmup [\d.]+ ms/)
  t.match(text, /└─ ext-second@1\.2\.3 \[started\]/)
  t.match(text, /taps: lifecycle\.start, lifecycle\.warmup, lifecycle\.ready, lifecycle\.shutdown@-2/)
  t.match(text, /sessionStore: kernel \(in-memory\)/)
})
