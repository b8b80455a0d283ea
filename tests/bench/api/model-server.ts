/**
 * A loopback model API for the bench, speaking OpenAI Chat Completions streaming: each reply is
 * `tokens` text deltas `gapMs` apart (each delta carries the bench clock's time it was written, so a
 * client in this process can measure delivery latency), or a tool call when the last message is the
 * user's and says TOOL.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ModelServer {
  url: string
  /** Delay between tokens from now on. */
  setGap(ms: number): void
  /** performance.now() when the first token of each reply was written, by reply order. */
  firstTokenAt: number[]
  /** The body of the last request received (to replay it in a direct call). */
  lastBody(): string
  close(): Promise<void>
}

const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1, model: 'bench-model', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`

export async function startModelServer(tokens = 200): Promise<ModelServer> {
  let gap = 0
  const firstTokenAt: number[] = []
  let lastRequest = ''
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', async () => {
      lastRequest = body
      const request = JSON.parse(body) as { messages: Array<{ role: string; content: unknown }> }
      const last = request.messages.at(-1)
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      res.write(chunk({ role: 'assistant', content: '' }))
      if (last?.role === 'user' && JSON.stringify(last.content).includes('TOOL')) {
        res.write(chunk({ tool_calls: [{ index: 0, id: 'call_bench', type: 'function', function: { name: 'list_dir', arguments: '{"path":"."}' } }] }))
        res.write(chunk({}, 'tool_calls'))
      } else {
        for (let i = 0; i < tokens; i++) {
          if (gap > 0) await new Promise((r) => setTimeout(r, gap))
          const at = performance.now()
          if (i === 0) firstTokenAt.push(at)
          res.write(chunk({ content: `<${at.toFixed(3)}>` }))
        }
        res.write(chunk({}, 'stop'))
      }
      res.write(`data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1, model: 'bench-model', choices: [], usage: { prompt_tokens: 50, completion_tokens: tokens, total_tokens: 50 + tokens } })}\n\n`)
      res.end('data: [DONE]\n\n')
    })
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/v1`,
    setGap: (ms) => (gap = ms),
    firstTokenAt,
    lastBody: () => lastRequest,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }),
  }
}

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
