/**
 * npm run bench:turn — 200 turns through the real API (HTTP + SSE) with the scripted provider at zero
 * delay, on the default config's plugins (embedded back ends unless DATABASE_URL / REDIS_URL are set).
 * Prints the latency the server adds per turn (POST -> assistant message.completed) and to the first
 * event (POST -> first SSE frame), p50/p99, the same through the engine without HTTP, and RSS.
 * Flags: --turns N, --warmup N, --memory (no database). Reports figures; asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { loadConfigFile, locateConfigFile } from '../../kernel/config-file.js'
import { Kernel } from '../../kernel/kernel.js'
import { createLogger } from '../../kernel/ports/basics.js'
import { testBackends } from '../../kernel/testing/backends.js'
import { envelopeOf, openSse } from '../../plugins/server/http/test-support.js'

const { values } = parseArgs({
  options: { turns: { type: 'string', default: '200' }, warmup: { type: 'string', default: '20' }, memory: { type: 'boolean', default: false } },
})
const TURNS = Number(values.turns)
const WARMUP = Number(values.warmup)

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
const ms = (n: number) => `${n.toFixed(2)} ms`

async function main(): Promise<void> {
  const configFile = locateConfigFile()
  const config = await loadConfigFile(configFile)
  const dataDir = mkdtempSync(join(tmpdir(), 'platform-bench-'))
  config.kernel = { ...config.kernel, dataDir, logLevel: 'warn' }
  // On real servers the bench works in a schema and key prefix of its own, dropped afterwards.
  const backends = testBackends()
  config.plugins = {
    ...config.plugins,
    ...(backends.external.database ? { 'persistence-postgres': backends.plugins['persistence-postgres'] } : {}),
    ...(backends.external.redis ? { 'realtime-redis': backends.plugins['realtime-redis'] } : {}),
    // --memory: no database at all (the kernel's in-memory ports), to see the kernel's own cost.
    ...(values.memory ? { 'persistence-postgres': false, 'jobs-agenda': false } : {}),
    'provider-scripted': { chunkDelayMs: 0 },
    'server-http': { port: 0 },
  }
  const kernel = await Kernel.boot({ config, configFile, logger: createLogger({ level: 'warn' }) })
  const base = kernel.addresses[0]
  const post = async (path: string, body: unknown) => {
    const response = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    return (await response.json()) as Record<string, string>
  }
  const session = await post('/api/sessions', {})
  const sse = await openSse(`${base}/api/sessions/${session.id}/events`)

  const total: number[] = []
  const first: number[] = []
  for (let i = 0; i < WARMUP + TURNS; i++) {
    const started = performance.now()
    const posted = post(`/api/sessions/${session.id}/messages`, { text: `turn ${i}` })
    let firstAt = 0
    let assistant = ''
    let turnId = ''
    await sse.readUntil((frame) => {
      firstAt ||= performance.now()
      const e = envelopeOf<{ type: string; data: Record<string, string> }>(frame)
      if (e.type === 'message.created' && e.data.role === 'assistant') {
        assistant = e.data.id
        turnId = e.data.turnId
      }
      return e.type === 'message.completed' && e.data.id === assistant
    }, 30_000)
    const done = performance.now()
    const { turnId: postedTurn } = await posted
    if (postedTurn !== turnId) throw new Error(`turn mismatch: posted ${postedTurn}, completed ${turnId}`)
    // The idle status closes the turn; read it so the next turn starts clean.
    await sse.readUntil((frame) => envelopeOf<{ type: string; data: { status?: string } }>(frame).data.status === 'idle', 30_000)
    if (i >= WARMUP) {
      total.push(done - started)
      first.push(firstAt - started)
    }
  }
  sse.close()
  const kernelOnly = await engineTurns(kernel)
  const rss = process.memoryUsage().rss
  const describe = kernel.describe()
  await kernel.close('bench done')
  rmSync(dataDir, { recursive: true, force: true })
  await backends.cleanup()

  total.sort((a, b) => a - b)
  first.sort((a, b) => a - b)
  const stores = `${describe.ports.sessionStore} / ${describe.ports.eventBus}`
  console.log(`bench:turn  ${TURNS} turns (+${WARMUP} warm-up), scripted provider at 0 ms delay, stores: ${stores}`)
  console.log(`  per turn (POST -> assistant message.completed): p50 ${ms(percentile(total, 50))}  p99 ${ms(percentile(total, 99))}  max ${ms(total.at(-1) ?? 0)}`)
  console.log(`  to first event (POST -> first SSE frame):       p50 ${ms(percentile(first, 50))}  p99 ${ms(percentile(first, 99))}`)
  console.log(`  kernel only (engine.prompt -> message.completed appended, no HTTP): p50 ${ms(percentile(kernelOnly.total, 50))}  p99 ${ms(percentile(kernelOnly.total, 99))}; to first event p50 ${ms(percentile(kernelOnly.first, 50))}`)
  console.log(`  RSS after the run: ${(rss / 1024 / 1024).toFixed(1)} MiB`)
}

/** The same turns on a fresh session, driven through the engine and the event bus directly. */
async function engineTurns(kernel: Kernel): Promise<{ total: number[]; first: number[] }> {
  const engine = kernel.engine
  const bus = kernel.resolve('eventBus')
  const session = await engine.createSession({})
  let onEvent: (type: string, data: Record<string, string>) => void = () => undefined
  const unsubscribe = await bus.subscribe(`session:${session.id}`, (e) => onEvent(e.type, e.data as Record<string, string>))
  const total: number[] = []
  const first: number[] = []
  for (let i = 0; i < WARMUP + TURNS; i++) {
    let firstAt = 0
    let assistant = ''
    const started = performance.now()
    const idle = new Promise<number>((resolve) => {
      let doneAt = 0
      onEvent = (type, data) => {
        firstAt ||= performance.now()
        if (type === 'message.created' && data.role === 'assistant') assistant = data.id
        if (type === 'message.completed' && data.id === assistant) doneAt = performance.now()
        if (type === 'session.status' && data.status === 'idle') resolve(doneAt)
      }
    })
    await engine.prompt(session.id, { text: `turn ${i}` })
    const doneAt = await idle
    if (i >= WARMUP) {
      total.push(doneAt - started)
      first.push(firstAt - started)
    }
  }
  await unsubscribe()
  return { total: total.sort((a, b) => a - b), first: first.sort((a, b) => a - b) }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
