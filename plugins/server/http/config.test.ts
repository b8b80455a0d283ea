import t from 'tap'
import { createTestKernel } from '../../../kernel/testing/index.js'
import { configSchema, listenTarget } from './config.js'

t.test('defaults', async (t) => {
  t.same(configSchema.parse({}), {
    host: '127.0.0.1',
    port: 8787,
    heartbeatMs: 15_000,
    bodyLimitBytes: 1_048_576,
    logRequests: false,
    ws: { heartbeatMs: 15_000, maxBufferedBytes: 1_048_576, maxMessageBytes: 65_536, maxSubscriptions: 256 },
  })
  t.equal(configSchema.parse({ ws: { heartbeatMs: 50 } }).ws.maxBufferedBytes, 1_048_576, 'a partial ws section keeps the other defaults')
})

t.test('unknown keys and bad types are rejected', async (t) => {
  t.notOk(configSchema.safeParse({ prot: 1 }).success)
  t.notOk(configSchema.safeParse({ port: 70_000 }).success)
  t.notOk(configSchema.safeParse({ port: '8787' }).success)
  t.notOk(configSchema.safeParse({ ws: { heartbeat: 10 } }).success, 'unknown ws key')
})

t.test('HOST and PORT override the config file; empty values are ignored', async (t) => {
  const options = configSchema.parse({ host: '127.0.0.1', port: 9000 })
  t.same(listenTarget(options, {}), { host: '127.0.0.1', port: 9000 })
  t.same(listenTarget(options, { HOST: '0.0.0.0', PORT: '8080' }), { host: '0.0.0.0', port: 8080 })
  t.same(listenTarget(options, { HOST: ' ', PORT: '' }), { host: '127.0.0.1', port: 9000 })
  t.same(listenTarget(options, { PORT: '0' }), { host: '127.0.0.1', port: 0 })
})

t.test('a bad PORT is a clear error', async (t) => {
  const options = configSchema.parse({})
  for (const bad of ['abc', '-1', '65536', '80.5', '12x']) {
    t.throws(() => listenTarget(options, { PORT: bad }), { code: 'SERVER_HTTP_PORT_INVALID', message: new RegExp(`PORT must be a whole number from 0 to 65535, got "${bad.replace('.', '\\.')}"`) }, bad)
  }
})

t.test('boot fails with the PORT error', async (t) => {
  const previous = process.env.PORT
  process.env.PORT = 'eighty'
  t.teardown(() => {
    if (previous === undefined) delete process.env.PORT
    else process.env.PORT = previous
  })
  await t.rejects(createTestKernel({ plugins: { 'provider-scripted': true, 'server-http': { port: 0 } } }), { code: 'SERVER_HTTP_PORT_INVALID' })
})

t.test('listen failure names the port and how to fix it', async (t) => {
  const first = await createTestKernel({ plugins: { 'provider-scripted': true, 'server-http': { port: 0 } } })
  t.teardown(first.close)
  const port = Number(new URL(first.kernel.addresses[0]).port)
  await t.rejects(createTestKernel({ plugins: { 'provider-scripted': true, 'server-http': { port } } }), {
    code: 'SERVER_HTTP_LISTEN_FAILED',
    message: new RegExp(`Cannot listen on 127\\.0\\.0\\.1:${port}.*Pick another port`),
  })
})
