/**
 * npm run bench:tools — per-call overhead of the tool pipeline (lookup, argument validation,
 * permission hook and default, beforeExecute/afterExecute/executed hooks, tool.updated events,
 * output truncation, persistence of the step) with a tool that does no work, on the default config's
 * back ends. overhead per call = (turn with N calls - turn with no call) / N, calls run one by one.
 * Flags: --calls N (per turn), --turns N, --memory (no database). Reports figures; asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { loadConfigFile, locateConfigFile } from '../../kernel/config-file.js'
import { Kernel } from '../../kernel/kernel.js'
import { createLogger } from '../../kernel/ports/basics.js'
import { testBackends } from '../../kernel/testing/backends.js'
import { createOutsideFolder } from '../../kernel/testing/outside-folder.js'

const { values } = parseArgs({ options: { calls: { type: 'string', default: '50' }, turns: { type: 'string', default: '40' }, memory: { type: 'boolean', default: false } } })
const CALLS = Number(values.calls)
const TURNS = Number(values.turns)
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]

const fixture = createOutsideFolder({
  'noop.ts': `
import { definePlugin, defineTool } from 'agent-platform/kernel'
import { z } from 'zod'
export default definePlugin({
  name: 'tool-noop',
  register(ctx) {
    ctx.registries.tools.add(defineTool({ name: 'noop', description: 'Does nothing.', kind: 'read', inputSchema: z.object({ n: z.number().int() }).strict(), subject: (a) => String(a.n), async execute(a) { return { output: 'ok ' + a.n } } }))
  },
})`,
})

async function main(): Promise<void> {
  const configFile = locateConfigFile()
  const config = await loadConfigFile(configFile)
  const dataDir = mkdtempSync(join(tmpdir(), 'platform-bench-tools-'))
  const backends = testBackends()
  config.kernel = { ...config.kernel, dataDir, logLevel: 'warn', limits: { maxSteps: 50, parallelTools: 1, eventRetention: 100_000, toolOutputChars: 30_000 } }
  const withCalls = [...Array.from({ length: CALLS }, (_, n) => ({ type: 'tool-call', tool: 'noop', input: { n } })), { type: 'finish', reason: 'tool_calls' }]
  const answer = [{ type: 'text', text: 'done' }]
  config.plugins = {
    ...config.plugins,
    ...(backends.external.database ? { 'persistence-postgres': backends.plugins['persistence-postgres'] } : {}),
    ...(backends.external.redis ? { 'realtime-redis': backends.plugins['realtime-redis'] } : {}),
    ...(values.memory ? { 'persistence-postgres': false, 'jobs-agenda': false, 'auth-vault': false } : {}),
    'server-http': false,
    'provider-scripted': { chunkDelayMs: 0, replies: [answer] },
    'tool-noop': { resolve: fixture.path('noop.ts') },
  }
  const kernel = await Kernel.boot({ config, configFile, logger: createLogger({ level: 'warn' }) })
  const engine = kernel.engine
  const scripted = kernel.resolve<{ setReplies(r: unknown[]): void }>('providerScripted')
  const bus = kernel.resolve('eventBus')

  const timeTurn = async (replies: unknown[][]): Promise<number> => {
    scripted.setReplies(replies)
    const session = await engine.createSession({})
    let resolve: () => void = () => undefined
    const idle = new Promise<void>((r) => (resolve = r))
    const stop = await bus.subscribe(`session:${session.id}`, (e) => {
      if (e.type === 'session.status' && (e.data as { status: string }).status === 'idle') resolve()
    })
    const started = performance.now()
    await engine.prompt(session.id, { text: 'go' })
    await idle
    const ms = performance.now() - started
    await stop()
    return ms
  }
  for (let i = 0; i < 5; i++) await timeTurn([withCalls, answer]) // warm-up
  const perCall: number[] = []
  const base: number[] = []
  for (let i = 0; i < TURNS; i++) {
    const without = await timeTurn([answer])
    const withTools = await timeTurn([withCalls, answer])
    base.push(without)
    perCall.push((withTools - without) / CALLS)
  }
  const stores = kernel.describe().ports.sessionStore
  await kernel.close('bench done')
  rmSync(dataDir, { recursive: true, force: true })
  fixture.remove()
  await backends.cleanup()
  perCall.sort((a, b) => a - b)
  base.sort((a, b) => a - b)
  console.log(`bench:tools  ${TURNS} turns x ${CALLS} calls of a no-op tool, one at a time; store: ${stores}`)
  console.log(`  pipeline overhead per call: p50 ${percentile(perCall, 50).toFixed(3)} ms  p99 ${percentile(perCall, 99).toFixed(3)} ms`)
  console.log(`  (a turn without tool calls: p50 ${percentile(base, 50).toFixed(2)} ms)`)
  console.log(`  RSS: ${(process.memoryUsage().rss / 1048576).toFixed(1)} MiB`)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
