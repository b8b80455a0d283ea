/**
 * npm run bench:api — the API under load, with the platform server in its own process and a model API
 * on loopback inside this one, in a worker thread (OpenAI Chat Completions, 200-token replies): real PostgreSQL + Redis
 * when DATABASE_URL / REDIS_URL are set, else the embedded defaults. Prints figures; asserts nothing.
 *   (a) follow-up turn: POST -> assistant message.completed, minus a direct call to the model server with the same request body,
 *       as the second turn of a new conversation, and over the turns of one growing conversation
 *   (b) first token: model server writes token 1 -> client receives the first text delta (tokens 10 ms apart)
 *   (c) closed loop with 1, 10, 50 sessions, no delay between tokens: turns/s, p50/p99, server CPU ms per turn
 *   (d) a turn with one tool round trip (second turn of a new conversation): gap between the two model calls minus the tool's own work
 *   (e) server RSS idle, after 200 sessions, with 5,000 idle subscribers; 500 concurrent streaming turns' event latency
 * The server runs compiled (dist/, built first, as `npm start` runs it); --source runs it from the sources through tsx.
 * Flags: --quick (smaller counts), --skip-e, --source.
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { compile } from '../../../kernel/build.js'
import { dropTestSchema } from '../../../kernel/testing/backends.js'
import { openSse, type SseReader } from '../../../plugins/server/http/test-support.js'
import { BenchClient, writeTimes, type BenchSession } from './client.js'
import { directCall, startModelServer, wallClock, type ModelServer } from './model-server.js'
import { startServer } from './server-process.js'
import { fmt, percentile } from './stats.js'

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, 'skip-e': { type: 'boolean', default: false }, source: { type: 'boolean', default: false } } })
const Q = values.quick
const database = process.env.DATABASE_URL || undefined
const redis = process.env.REDIS_URL || undefined
const id = randomUUID().replaceAll('-', '').slice(0, 10)
const schema = `bench_${id}`
const log = (line: string) => console.log(line)

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'platform-bench-api-'))
  if (!values.source) await compile()
  const model = await startModelServer(200)
  const server = await startServer({ work, modelUrl: model.url, database, redis, schema, keyPrefix: `bench:${id}:`, source: values.source })
  const client = new BenchClient(server.url)
  log(`bench:api  server pid ${server.pid} (${database ? 'PostgreSQL' : 'PGlite'} + ${redis ? 'Redis' : 'in-memory ports'}), model server on loopback, 200-token replies, ${values.source ? 'from sources (tsx)' : 'compiled (dist/)'}`)
  const idleRss = server.rssMiB()
  try {
    // Memory first: after the load phases the heap stays at its high-water mark, which says nothing of what is kept.
    if (!values['skip-e']) await memory(client, server, idleRss)
    else log(`(e) RSS idle: ${fmt(idleRss, 1)} MiB (rest skipped)`)
    await followUp(client, model)
    await firstToken(client, model)
    await closedLoop(client, model, server)
    await toolRoundTrip(client, model)
    if (!values['skip-e']) await fanOut(client, model)
  } finally {
    await server.stop()
    await model.close()
    rmSync(work, { recursive: true, force: true })
    if (database) await dropTestSchema(schema, database)
  }
}

/** One follow-up turn: [POST -> the assistant's message.completed, a direct call with the same request]. */
async function followUpOnce(client: BenchClient, model: ModelServer, session: BenchSession, text: string): Promise<[number, number]> {
  let assistant = ''
  let doneAt = 0
  const started = performance.now()
  await client.turn(session, text, (e, at) => {
    if (e.type === 'message.created' && e.data.role === 'assistant') assistant = String(e.data.id)
    if (e.type === 'message.completed' && e.data.id === assistant) doneAt = at
  })
  return [doneAt - started, await directCall(model.url, await model.lastBody())]
}

/**
 * (a) The second turn of a new conversation each time; then, for comparison, successive turns of one
 * conversation whose history grows with each (the request body, and so the work on both sides, grows).
 */
async function followUp(client: BenchClient, model: ModelServer): Promise<void> {
  await model.setGap(0)
  const turns = Q ? 30 : 150
  const report = (what: string, samples: Array<[number, number]>) => {
    const overhead = samples.map(([turn, plain]) => turn - plain)
    const direct = samples.map(([, plain]) => plain)
    log(`(a) follow-up turn, ${what}, POST -> message.completed minus a direct call with the same request (p50 ${fmt(percentile(direct, 50))} ms): p50 ${fmt(percentile(overhead, 50))} ms  p99 ${fmt(percentile(overhead, 99))} ms  [target < 5 ms p50]`)
  }
  const fresh: Array<[number, number]> = []
  for (let i = 0; i < turns + 10; i++) {
    const session = await client.session()
    await client.turn(session, `first ${i}`)
    const sample = await followUpOnce(client, model, session, `follow-up ${i}`)
    if (i >= 10) fresh.push(sample)
    session.events.close()
  }
  report('the second turn of a new conversation', fresh)
  const session = await client.session()
  const long: Array<[number, number]> = []
  for (let i = 0; i < turns; i++) long.push(await followUpOnce(client, model, session, `follow-up ${i}`))
  session.events.close()
  report(`turns 1 to ${turns} of one conversation`, long)
}

/** (b) */
async function firstToken(client: BenchClient, model: ModelServer): Promise<void> {
  await model.setGap(10)
  const session = await client.session()
  const gaps: number[] = []
  const turns = Q ? 10 : 40
  for (let i = 0; i < turns; i++) {
    let first = 0
    await client.turn(session, `first token ${i}`, (e) => {
      if (!first && e.type === 'part.delta') {
        const written = writeTimes(String(e.data.delta))[0]
        if (written !== undefined) first = wallClock() - written
      }
    })
    gaps.push(first)
  }
  session.events.close()
  await model.setGap(0)
  log(`(b) model server writes token 1 -> client has the first delta (tokens 10 ms apart): p50 ${fmt(percentile(gaps, 50), 3)} ms  p99 ${fmt(percentile(gaps, 99), 3)} ms  [target < 1 ms p50]`)
}

/** (c) */
async function closedLoop(client: BenchClient, model: ModelServer, server: Awaited<ReturnType<typeof startServer>>): Promise<void> {
  await model.setGap(0)
  for (const concurrency of [1, 10, 50]) {
    const sessions = await Promise.all(Array.from({ length: concurrency }, () => client.session()))
    const seconds = Q ? 4 : 10
    const latencies: number[] = []
    const cpuBefore = server.cpuMs()
    const started = performance.now()
    const until = started + seconds * 1000
    await Promise.all(sessions.map(async (session, n) => {
      for (let i = 0; performance.now() < until; i++) {
        const t0 = performance.now()
        await client.turn(session, `loop ${n}.${i}`)
        latencies.push(performance.now() - t0)
      }
    }))
    const elapsed = (performance.now() - started) / 1000
    const cpu = server.cpuMs() - cpuBefore
    for (const s of sessions) s.events.close()
    log(`(c) ${String(concurrency).padStart(2)} sessions: ${fmt(latencies.length / elapsed, 1)} turns/s  p50 ${fmt(percentile(latencies, 50))} ms  p99 ${fmt(percentile(latencies, 99))} ms  server CPU ${fmt(cpu / latencies.length)} ms/turn  [target >= 100 turns/s at 50]`)
  }
}

/** (d) A turn with one tool call, as the second turn of a new conversation each time. */
async function toolRoundTrip(client: BenchClient, model: ModelServer): Promise<void> {
  await model.setGap(0)
  const gaps: number[] = []
  const turns = Q ? 20 : 100
  for (let i = 0; i < turns + 5; i++) {
    const session = await client.session()
    await client.turn(session, `first ${i}`)
    let firstDone = 0
    let secondStarted = 0
    let toolMs = 0
    await client.turn(session, `TOOL ${i}`, (e, at) => {
      if (e.type === 'message.completed' && e.data.finish === 'tool_calls') firstDone = at
      if (e.type === 'tool.updated' && e.data.state === 'completed') toolMs = Number((e.data.timing as { durationMs?: number } | undefined)?.durationMs ?? 0)
      if (firstDone && !secondStarted && e.type === 'message.created' && e.data.role === 'assistant' && at > firstDone) secondStarted = at
    })
    session.events.close()
    if (i >= 5 && firstDone && secondStarted) gaps.push(secondStarted - firstDone - toolMs)
  }
  log(`(d) tool round trip (second turn of a new conversation): first model call's message.completed -> second call's message.created, minus the tool's own ${'work'}: p50 ${fmt(percentile(gaps, 50))} ms  p99 ${fmt(percentile(gaps, 99))} ms  [target < 5 ms p50]`)
}

/** (e) memory: idle, after 200 sessions with one turn each, with 5,000 idle subscribers. */
async function memory(client: BenchClient, server: Awaited<ReturnType<typeof startServer>>, idleRss: number): Promise<void> {
  const count = Q ? 50 : 200
  for (let i = 0; i < count; i += 10) {
    await Promise.all(Array.from({ length: Math.min(10, count - i) }, async () => {
      const session = await client.session()
      await client.turn(session, 'hello')
      session.events.close()
    }))
  }
  const after200 = server.rssMiB()
  const subscribers: SseReader[] = []
  const idleCount = Q ? 1000 : 5000
  for (let i = 0; i < idleCount; i += 250) {
    subscribers.push(...(await Promise.all(Array.from({ length: Math.min(250, idleCount - i) }, () => openSse(`${server.url}/api/events`)))))
  }
  await new Promise((r) => setTimeout(r, 1000))
  const withSubscribers = server.rssMiB()
  for (const s of subscribers) s.close()
  log(`(e) server RSS: idle ${fmt(idleRss, 1)} MiB, after ${count} sessions ${fmt(after200, 1)} MiB, with ${idleCount} idle subscribers ${fmt(withSubscribers, 1)} MiB  [targets < 150 / < 200 / < 300 MB on real PostgreSQL]`)
}

/** (e) fan-out: 500 concurrent streaming turns, delivery latency of every delta. */
async function fanOut(client: BenchClient, model: ModelServer): Promise<void> {
  await model.setGap(10)
  const streaming = Q ? 100 : 500
  const sessions = await Promise.all(Array.from({ length: streaming }, () => client.session()))
  const latencies: number[] = []
  const failures: string[] = []
  await Promise.all(sessions.map((session) => client.turn(session, 'stream', (e) => {
    if (e.type === 'part.delta') {
      const now = wallClock()
      for (const written of writeTimes(String(e.data.delta))) latencies.push(now - written)
    }
    if (e.type === 'error') failures.push(`${String(e.data.code)}: ${String(e.data.message)}`)
  })))
  for (const s of sessions) s.events.close()
  await model.setGap(0)
  if (failures.length > 0) log(`(e) ${failures.length} turns failed, first: ${failures[0]}`)
  log(`(e) ${streaming} concurrent streaming turns (tokens 10 ms apart): event latency p50 ${fmt(percentile(latencies, 50))} ms  p99 ${fmt(percentile(latencies, 99))} ms over ${latencies.length} deltas  [target p99 < 100 ms]`)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
