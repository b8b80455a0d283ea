import t from 'tap'
import { mkdtempSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { createTestKernel } from '../../../kernel/testing/index.js'
import { toToolSpec } from '../../../kernel/session/history.js'
import type { ToolContext } from '../../../kernel/index.js'
import './services.js'

t.test('boots with the kernel: run_command is registered with its JSON schema, and shutdown stops commands', async (t) => {
  const logDir = mkdtempSync(join(tmpdir(), 'tool-shell-plugin-logs-'))
  const workdir = realpathSync(mkdtempSync(join(tmpdir(), 'tool-shell-plugin-work-')))
  t.teardown(() => {
    rmSync(logDir, { recursive: true, force: true })
    rmSync(workdir, { recursive: true, force: true })
  })
  const tk = await createTestKernel({ plugins: { 'provider-scripted': { chunkDelayMs: 0 }, 'tool-shell': { logDir, timeoutMs: 60_000, maxTimeoutMs: 300_000, allowNetwork: false } } })
  let closed = false
  t.teardown(() => (closed ? undefined : tk.close()))

  const tool = tk.kernel.registries.tools.get('run_command')!
  t.ok(tool, 'registered')
  t.equal(tool.kind, 'execute')
  t.equal(tool.subject?.({ command: 'git status --short' }), 'git status --short')
  t.equal(tool.timeoutMs, 300_000 + 2_000 + 10_000, 'the kernel limit leaves room for the longest timeout and the kill grace')
  t.match(tool.description, /Timeout: 60 s by default; pass `timeout_ms` \(at most 300000\)/)
  t.match(tool.description, /Network access is switched off/)
  const spec = toToolSpec(tool)
  t.match(spec.inputSchema, {
    type: 'object',
    required: ['command'],
    additionalProperties: false,
    properties: {
      command: { type: 'string', minLength: 1, description: /bash -c/ },
      timeout_ms: { type: 'integer', minimum: 100, maximum: 300_000, description: /milliseconds/ },
      description: { type: 'string', description: /few words/ },
    },
  })
  t.notOk(tool.inputSchema.safeParse({ command: 'ls', timeout_ms: 300_001 }).success, 'a timeout above the max is refused')
  t.notOk(tool.inputSchema.safeParse({ command: 'ls', cwd: '/' }).success, 'unknown keys are refused')
  t.match(tk.logLines.join('\n'), /run_command ready/)

  const shell = tk.kernel.resolve('toolShell')
  t.equal(shell.logPath('ses/../x', 'call 1'), join(logDir, 'ses_.._x', 'call_1.log'), 'ids become one safe path segment')
  const ctx: ToolContext = {
    sessionId: 'ses_plugin', turnId: 'trn_1', callId: 'call_1', abortSignal: new AbortController().signal, workdir,
    reportProgress: () => undefined, ask: async () => undefined, logger: tk.logger,
  }
  const running = tool.execute({ command: 'echo pid=$$; sleep 30' }, ctx)
  while (shell.running() === 0) await sleep(10)
  await tk.close()
  closed = true
  const result = await running
  t.match(result.metadata, { aborted: true, signal: 'SIGTERM' })
  t.equal(shell.running(), 0)
  await shell.removeSessionLogs('ses_plugin')
  t.same(await import('node:fs').then((fs) => fs.readdirSync(logDir)), [], 'session logs removed')
})
