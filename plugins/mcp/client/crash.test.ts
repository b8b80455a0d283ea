/**
 * The stdio server process is killed in the middle of a tool call made by a real turn: the call ends
 * with a tool error, the turn finishes, the server goes failed and reconnects, and its tools work again.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import type { protocol } from '../../../kernel/index.js'
import { createTestToolContext } from '../../../kernel/testing/index.js'
import { waitFor } from '../../../kernel/testing/wait.js'
import type {} from '../../provider/scripted/services.js'
import { bootMcp, everythingStdio } from './test-support.js'

t.test('killing the server mid-call: tool error, turn completes, failed -> reconnected', async (t) => {
  const { tk, call } = await bootMcp(
    t,
    { servers: { everything: everythingStdio() } },
    {
      'provider-scripted': {
        chunkDelayMs: 0,
        replies: [
          [{ type: 'tool-call', tool: 'everything__trigger-long-running-operation', input: { duration: 60, steps: 600 }, callId: 'call-long' }],
          [{ type: 'text', text: 'the server crashed' }],
        ],
      },
    },
  )
  const engine = tk.kernel.resolve('engine')
  const bus = tk.kernel.resolve('eventBus')
  const before = (await call('GET', '/api/mcp/servers/everything')).json
  t.equal(before.state, 'connected')
  t.ok(before.pid > 0, 'the detail shows the stdio process id')

  const global: protocol.EventEnvelope[] = []
  t.teardown(await bus.subscribe('global', (e) => global.push(e)))
  const session = await engine.createSession({})
  const events: protocol.EventEnvelope[] = []
  t.teardown(await bus.subscribe(`session:${session.id}`, (e) => events.push(e)))
  await engine.prompt(session.id, { text: 'run the long operation' })

  const toolUpdate = (e: protocol.EventEnvelope) => (e.type === 'tool.updated' ? (e.data as protocol.ToolUpdate) : undefined)
  await waitFor(() => events.some((e) => toolUpdate(e)?.progress !== undefined), 'progress of the running call', 10_000)
  process.kill(before.pid, 'SIGKILL')

  await waitFor(() => events.some((e) => e.type === 'turn.completed'), 'the turn to complete', 10_000)
  const failed = events.map(toolUpdate).find((u) => u?.state === 'error')
  t.match(failed, { callId: 'call-long', error: { code: 'MCP_SERVER_DISCONNECTED', message: /went away during the tool trigger-long-running-operation call/ } })
  t.match(events.find((e) => e.type === 'turn.completed')?.data, { finish: 'stop' })
  const requests = tk.kernel.resolve('providerScripted').requests()
  t.match(JSON.stringify(requests.at(-1)!.request.messages), /went away during the tool/, 'the model saw the error as the tool result')

  const states = () => global.filter((e) => e.type === 'mcp.server.updated').map((e) => (e.data as protocol.McpServerStatus).state)
  await waitFor(() => states().includes('failed') && states().at(-1) === 'connected', 'failed, then connected again', 10_000)
  t.match(states().slice(states().indexOf('failed')), ['failed', 'connecting', 'connected'])
  const after = (await call('GET', '/api/mcp/servers/everything')).json
  t.equal(after.state, 'connected')
  t.not(after.pid, before.pid, 'a new process')
  const echo = await tk.kernel.resolve('registries').tools.get('everything__echo')!.execute({ message: 'back' }, createTestToolContext())
  t.equal(echo.output, 'Echo: back')
})

t.test('a server that cannot start is failed with the reason and retried with backoff', async (t) => {
  const { call } = await bootMcp(t, {
    reconnect: { initialDelayMs: 5_000, maxDelayMs: 60_000, factor: 2, maxAttempts: 0 },
    servers: { broken: { transport: 'stdio', command: '/nonexistent/mcp-server-binary' } },
  })
  const detail = (await call('GET', '/api/mcp/servers/broken')).json
  t.match(detail, { state: 'failed', reason: /connect failed: .*ENOENT/, attempts: 1, tools: 0 })
  t.ok(Date.parse(detail.retryAt) > Date.now(), 'the next attempt is scheduled')
})

t.test('a server that never answers initialize fails after initMs and its process is stopped', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-mute-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const pidFile = join(dir, 'pid')
  const script = `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000)`
  const { call } = await bootMcp(t, {
    reconnect: { initialDelayMs: 60_000, maxDelayMs: 60_000, factor: 2, maxAttempts: 0 },
    // Long enough for a loaded machine to start node and write the pid file before the deadline.
    servers: { mute: { transport: 'stdio', command: process.execPath, args: ['-e', script], timeouts: { initMs: 2_000 } } },
  })
  const detail = (await call('GET', '/api/mcp/servers/mute')).json
  t.match(detail, { state: 'failed', reason: 'connect failed: no answer within 2000 ms (timeouts.initMs)' })
  const pid = Number(readFileSync(pidFile, 'utf8'))
  // The SDK closes stdin, waits 2 s, then sends SIGTERM.
  await waitFor(() => !alive(pid), 'the mute process to be stopped', 8_000)
  t.pass('the process was stopped')
})

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
