/**
 * npm run bench:turn — 200 turns through the real API (HTTP + SSE) with the scripted provider at zero
 * delay, on the default config's plugins (embedded back ends unless DATABASE_URL / REDIS_URL are set).
 * Prints the latency the server adds per turn (POST -> assistant message.completed) and to the first
 * event (POST -> first SSE frame), p50/p99, and RSS. Reports figures; asserts nothing.
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

const { values } = parseArgs({ options: { turns: { type: 'string', default: '200' }, warmup: { type: 'string', default: '20' } } })
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
  console.log(`  RSS after the run: ${(rss / 1024 / 1024).toFixed(1)} MiB`)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
