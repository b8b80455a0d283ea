/**
 * The bench's loopback model API (model-worker.ts), in a worker thread of the bench: its own event loop,
 * so writing 200 tokens never holds up the bench's client reading the platform's events (which would
 * count the model's own work as the platform's latency).
 */
import { Worker } from 'node:worker_threads'

export interface ModelServer {
  url: string
  /** Delay between tokens from now on (resolves once the worker has it). */
  setGap(ms: number): Promise<void>
  /** The body of the last request received (to replay it in a direct call). */
  lastBody(): Promise<string>
  close(): Promise<void>
}

export async function startModelServer(tokens = 200): Promise<ModelServer> {
  // Workers do not inherit the bench's TypeScript loader: a one-line entry loads the worker's module through tsx's API.
  const entry = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(new URL('./model-worker.ts', import.meta.url).href)}, ${JSON.stringify(import.meta.url)}))`
  const worker = new Worker(entry, { eval: true, workerData: { tokens } })
  const replies = new Map<number, (body: string) => void>()
  let next = 0
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject)
    worker.on('message', (message: { type: string; port?: number; id?: number; body?: string }) => {
      if (message.type === 'ready') resolve(message.port!)
      else if (message.type === 'reply') replies.get(message.id!)?.(message.body!)
    })
  })
  const ask = (type: 'gap' | 'lastBody', extra: Record<string, unknown> = {}) =>
    new Promise<string>((resolve) => {
      const id = ++next
      replies.set(id, (body) => {
        replies.delete(id)
        resolve(body)
      })
      worker.postMessage({ type, id, ...extra })
    })
  return {
    url: `http://127.0.0.1:${port}/v1`,
    setGap: async (ms) => void (await ask('gap', { ms })),
    lastBody: () => ask('lastBody'),
    close: async () => {
      const exited = new Promise((resolve) => worker.once('exit', resolve))
      worker.postMessage({ type: 'close' })
      await exited
    },
  }
}

/** The wall clock in ms as the model worker stamps tokens (comparable across threads). */
export const wallClock = () => performance.timeOrigin + performance.now()

/**
 * Call the model server directly and read the whole reply: the time a turn cannot go below. `body` is
 * the request to send (the platform's last one, so the model server parses the same conversation).
 */
export async function directCall(url: string, body = JSON.stringify({ model: 'bench-model', stream: true, messages: [{ role: 'user', content: 'hi' }] })): Promise<number> {
  const started = performance.now()
  const response = await fetch(`${url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  await response.text()
  return performance.now() - started
}
