import t from 'tap'
import { toToolSpec } from '../../../kernel/session/history.js'
import { createTestKernel } from '../../../kernel/testing/index.js'
import { startServer, toolContext } from './test-helpers.js'

t.test('boots with the kernel and registers web_fetch with its JSON schema and options', async (t) => {
  const server = await startServer({ '/': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('hello from loopback') })
  t.teardown(() => server.close())
  const tk = await createTestKernel({ plugins: { 'tool-web': { allowHosts: ['127.0.0.1'], maxOutputChars: 5_000 } } })
  t.teardown(() => tk.close())

  const tool = tk.kernel.registries.tools.get('web_fetch')
  if (!tool) throw new Error('web_fetch is not registered')
  t.equal(tool.kind, 'fetch')
  t.equal(tool.subject?.({ url: 'https://example.com/a', format: 'markdown' }), 'https://example.com/a')
  t.match(tool.description, /Up to 5000 characters/)
  const spec = toToolSpec(tool)
  t.match(spec.inputSchema, {
    type: 'object',
    required: ['url'],
    additionalProperties: false,
    properties: {
      url: { type: 'string', description: /http/ },
      format: { enum: ['markdown', 'text', 'html'], default: 'markdown' },
      timeout_ms: { type: 'integer', description: /at most 120000/ },
    },
  })

  const args = tool.inputSchema.parse({ url: `${server.origin}/` })
  const result = await tool.execute(args, toolContext())
  t.equal(result.output, 'hello from loopback', 'allowHosts from the config reaches the guard')
  await t.rejects(tool.execute(tool.inputSchema.parse({ url: 'http://169.254.169.254/' }), toolContext()), { code: 'TOOL_WEB_BLOCKED_ADDRESS' })
})

t.test('a malformed allowHosts entry is a boot error that explains the expected forms', async (t) => {
  const error = await createTestKernel({ plugins: { 'tool-web': { allowHosts: ['10.0.0.0/40'] } } }).then(
    (tk) => tk.close().then(() => undefined),
    (e: unknown) => e,
  )
  t.match(error, { message: /not a CIDR range; write it like 10\.0\.0\.0\/8/ })
})

t.test('timeoutMs above maxTimeoutMs is a boot error', async (t) => {
  const error = await createTestKernel({ plugins: { 'tool-web': { timeoutMs: 5_000, maxTimeoutMs: 1_000 } } }).then(
    (tk) => tk.close().then(() => undefined),
    (e: unknown) => e,
  )
  t.match(error, { message: /timeoutMs must not be larger than maxTimeoutMs/ })
})
