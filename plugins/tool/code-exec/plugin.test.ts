import t from 'tap'
import { toToolSpec } from '../../../kernel/session/history.js'
import { createTestKernel } from '../../../kernel/testing/index.js'
import { configSchema } from './config.js'
import { findPython } from './python.js'
import { toolContext } from './test-helpers.js'

t.test('boots with the kernel, registers execute_code with its JSON schema and provides the service', async (t) => {
  const tk = await createTestKernel({ plugins: { 'tool-code-exec': { timeoutMs: 2_000, maxTimeoutMs: 30_000 } } })
  t.teardown(() => tk.close())

  const tool = tk.kernel.registries.tools.get('execute_code')
  if (!tool) throw new Error('execute_code is not registered')
  t.equal(tool.kind, 'execute')
  t.equal(tool.subject?.({ language: 'python', code: 'print(1)' }), 'python')
  t.equal(tool.timeoutMs, 40_000, 'the kernel waits a little longer than the largest time limit')
  t.match(tool.description, /last expression/)
  t.match(toToolSpec(tool).inputSchema, {
    type: 'object',
    required: ['language', 'code'],
    additionalProperties: false,
    properties: {
      language: { enum: ['javascript', 'python'], description: /Language/ },
      code: { type: 'string', minLength: 1 },
      timeout_ms: { type: 'integer', maximum: 30_000, description: /default 2000, at most 30000/ },
    },
  })
  t.notOk(tool.inputSchema.safeParse({ language: 'ruby', code: 'x' }).success, 'unknown languages are refused')
  t.notOk(tool.inputSchema.safeParse({ language: 'python', code: 'x', timeout_ms: 30_001 }).success, 'time limits above the max are refused')
  t.notOk(tool.inputSchema.safeParse({ language: 'python', code: 'x', cwd: '/' }).success, 'unknown keys are refused')

  const service = tk.kernel.resolve('toolCodeExec')
  const expected = await findPython('python3')
  t.same(await service.python(), expected, 'start looked python3 up')
  const ctx = toolContext()
  const result = await tool.execute(tool.inputSchema.parse({ language: 'javascript', code: '6 * 7' }), ctx)
  t.equal(result.metadata?.result, '42')
  t.match(ctx.progress, [{ title: 'Run javascript snippet' }])
  t.match(tk.logLines.join('\n'), expected ? /execute_code: Python available/ : /execute_code: Python not found/)
})

t.test('options: defaults, and timeoutMs above maxTimeoutMs is refused with a fix', async (t) => {
  t.match(configSchema.parse({}), { timeoutMs: 10_000, maxTimeoutMs: 60_000, memoryLimitMb: 256, outputCapChars: 20_000, python: true, pythonCommand: 'python3' })
  const error = await createTestKernel({ plugins: { 'tool-code-exec': { timeoutMs: 5_000, maxTimeoutMs: 1_000 } } }).then(
    (tk) => tk.close().then(() => undefined),
    (e: unknown) => e,
  )
  t.match(error, { message: /timeoutMs must not exceed maxTimeoutMs/ })
})
