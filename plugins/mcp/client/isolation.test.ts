/**
 * What a stdio server gets: the SDK's harmless defaults plus its configured env (Secrets revealed
 * only to it, never logged), never the platform's environment. And cancellation reaching the server.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { env } from '../../../kernel/index.js'
import { createTestToolContext } from '../../../kernel/testing/index.js'
import { waitFor } from '../../../kernel/testing/wait.js'
import { bootMcp, everythingStdio, FIXTURE_SERVER } from './test-support.js'

t.test('a secret in the platform environment is not visible to the server; configured env and env() secrets are', async (t) => {
  process.env.PLATFORM_TEST_API_KEY = 'sk-platform-secret-123'
  process.env.MCP_TEST_TOKEN = 'token-for-the-server-456'
  t.teardown(() => {
    delete process.env.PLATFORM_TEST_API_KEY
    delete process.env.MCP_TEST_TOKEN
  })
  const { tk } = await bootMcp(t, { servers: { everything: everythingStdio({ env: { VISIBLE: 'yes', SERVER_TOKEN: env('MCP_TEST_TOKEN') } }) } })
  const result = await tk.kernel.resolve('registries').tools.get('everything__get-env')!.execute({}, createTestToolContext())
  const seen = JSON.parse(result.output) as Record<string, string>
  t.equal(seen.VISIBLE, 'yes')
  t.equal(seen.SERVER_TOKEN, 'token-for-the-server-456', 'the env() secret is revealed to its server')
  t.notOk('PLATFORM_TEST_API_KEY' in seen, 'the platform secret is not passed on')
  const allowed = new Set(['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER', 'VISIBLE', 'SERVER_TOKEN'])
  // tap's process-info hook wraps child_process.spawn and adds its own _TAPJS_* and NODE_OPTIONS to every child.
  const addedByTap = (key: string) => key.startsWith('_TAPJS_') || key === 'NODE_OPTIONS'
  t.same(Object.keys(seen).filter((key) => !allowed.has(key) && !addedByTap(key)), [], 'nothing beyond the defaults and the configured env')
  const detail = await fetch(`${tk.kernel.addresses[0]}/api/mcp/servers/everything`).then((r) => r.text())
  t.notMatch(detail, /token-for-the-server-456/, 'the API never shows it')
  t.notMatch(tk.logLines.join('\n'), /token-for-the-server-456/, 'the logs never show it')
})

t.test('aborting a call cancels it on the server (notifications/cancelled) and ends it at once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-cancel-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const marker = join(dir, 'marker')
  const { tk } = await bootMcp(t, { servers: { slow: { transport: 'stdio', command: process.execPath, args: [FIXTURE_SERVER], env: { MARKER_FILE: marker } } } })
  const ctx = createTestToolContext()
  const running = tk.kernel.resolve('registries').tools.get('slow__wait')!.execute({}, ctx)
  await waitFor(() => readFileSafe(marker) === 'started', 'the server to start the call')
  ctx.controller.abort(new Error('turn aborted'))
  const error = await running.then(() => undefined, (e: unknown) => e as { code: string; message: string })
  t.match(error, { code: 'MCP_CANCELLED', message: /cancelled; the server was told to stop/ })
  await waitFor(() => readFileSafe(marker) === 'cancelled', 'the server to see the cancellation')
  t.pass('the server saw notifications/cancelled')
})

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}
