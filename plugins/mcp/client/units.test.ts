/** The small pure parts: option parsing, kinds from annotations, subjects, filters, schemas, content as text. */
import t from 'tap'
import { Secret } from '../../../kernel/index.js'
import { createTestKernel } from '../../../kernel/testing/index.js'
import { configSchema } from './config.js'
import { blockToText, toAttachment, toolOutput } from './content.js'
import { argsSchema, kindOf, selected, subjectOf } from './tools.js'
import { revealValue } from './transports.js'

t.test('options: defaults, server names, per-transport fields', async (t) => {
  const parsed = configSchema.parse({ servers: { docs: { transport: 'http', url: 'https://mcp.example.test/mcp', headers: { authorization: new Secret('x', 'TOKEN') } } } })
  t.match(parsed, { timeouts: { initMs: 30_000, callMs: 120_000 }, reconnect: { initialDelayMs: 1_000, factor: 2, maxAttempts: 0 }, allowStdioFromApi: true })
  t.match(parsed.servers.docs, { enabled: true, exclude: [], args: [], env: {} })
  for (const name of ['Docs', 'my_server', 'a__b', '1abc', 'x'.repeat(33)]) {
    t.notOk(configSchema.safeParse({ servers: { [name]: { transport: 'stdio', command: 'node' } } }).success, `"${name}" is refused`)
  }
  t.notOk(configSchema.safeParse({ servers: { s: { transport: 'stdio', command: 'node', url: 'http://x.test' } } }).success, 'stdio with a url')
  t.notOk(configSchema.safeParse({ servers: { s: { transport: 'http', url: 'http://x.test', env: { A: 'b' } } } }).success, 'http with env')
  t.notOk(configSchema.safeParse({ servers: { s: { transport: 'stdio', command: 'node', timeouts: { initMs: 1 } } } }).success, 'a timeout too small')
})

t.test('a bad server in the config file fails the boot with the path', async (t) => {
  const error = await createTestKernel({ plugins: { 'mcp-client': { servers: { Bad: { transport: 'stdio', command: 'node' } } } } }).then(
    () => undefined,
    (e: unknown) => e as { code: string; message: string },
  )
  t.equal(error?.code, 'KERNEL_PLUGIN_OPTIONS_INVALID')
  t.match(error?.message, /servers/)
})

t.test('kinds from annotations (explicit true only)', async (t) => {
  t.equal(kindOf({ annotations: { readOnlyHint: true } }), 'read')
  t.equal(kindOf({ annotations: { readOnlyHint: true, openWorldHint: true } }), 'fetch')
  t.equal(kindOf({ annotations: { destructiveHint: true } }), 'delete')
  t.equal(kindOf({ annotations: { readOnlyHint: false } }), 'other')
  t.equal(kindOf({}), 'other', 'no annotations: other (asks), not destructive by the spec default')
})

t.test('subjects are compact JSON, cut at 200 characters', async (t) => {
  t.equal(subjectOf({ path: 'a.txt', n: 1 }), '{"path":"a.txt","n":1}')
  const long = subjectOf({ text: 'x'.repeat(500) })
  t.equal(long.length, 200)
  t.ok(long.endsWith('…'))
})

t.test('include / exclude globs', async (t) => {
  t.ok(selected('echo', { exclude: [] }))
  t.notOk(selected('echo', { include: ['get-*'], exclude: [] }))
  t.ok(selected('get-sum', { include: ['get-*'], exclude: [] }))
  t.notOk(selected('get-env', { include: ['get-*'], exclude: ['*-env'] }))
})

t.test('argument schemas: JSON schema enforced; an uncompilable one passes arguments unchecked with a warning', async (t) => {
  const schema = argsSchema({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { n: { type: 'integer', minimum: 1 } }, required: ['n'] }, () => undefined)
  t.ok(schema.safeParse({ n: 2 }).success)
  const bad = schema.safeParse({ n: 0 })
  t.notOk(bad.success)
  t.match(bad.error?.issues[0]?.message, /n|minimum|>= 1/)
  t.notOk(schema.safeParse('text').success, 'arguments are an object')
  const warnings: string[] = []
  const broken = argsSchema({ type: 'object', properties: { a: { $ref: '#/nowhere' } } }, (m) => warnings.push(m))
  t.ok(broken.safeParse({ a: 1 }).success)
  t.match(warnings, [/cannot be compiled/])
})

t.test('content as text and resources as attachments', async (t) => {
  t.equal(blockToText({ type: 'text', text: 'hi' }), 'hi')
  t.equal(blockToText({ type: 'image', data: 'AAAA', mimeType: 'image/png' }), '[image image/png, 3 bytes: not shown as text]')
  t.equal(blockToText({ type: 'resource_link', uri: 'file:///a', name: 'a', description: 'the a' }), '[resource link] a: file:///a (the a)')
  t.equal(blockToText({ type: 'resource', resource: { uri: 'mem://x', text: 'body' } }), '[resource mem://x]\nbody')
  t.equal(toolOutput([], { total: 3 }), '{\n  "total": 3\n}', 'structured content when there is no content')
  t.equal(toolOutput([], undefined), '(the tool returned no content)')
  t.same(toAttachment({ uri: 'mem://dir/notes.txt', text: 'héllo' }), { name: 'notes.txt', mimeType: 'text/plain', data: Buffer.from('héllo').toString('base64') })
  t.same(toAttachment({ uri: 'mem://b', blob: 'AQID', mimeType: 'application/octet-stream' }, 'Blob'), { name: 'Blob', mimeType: 'application/octet-stream', data: 'AQID' })
})

t.test('secret values: Secrets revealed, {env} read when connecting, a missing variable named', async (t) => {
  t.equal(revealValue('plain', 'w'), 'plain')
  t.equal(revealValue(new Secret('s3', 'X'), 'w'), 's3')
  t.equal(revealValue({ env: 'A_VAR' }, 'w', { A_VAR: 'v' }), 'v')
  t.throws(() => revealValue({ env: 'NOT_SET' }, 'servers.x.headers.authorization', {}), { code: 'MCP_SECRET_MISSING', message: /servers\.x\.headers\.authorization refers to the environment variable NOT_SET/ })
})
