/**
 * The bench's loopback model API, run in a worker thread (see model-server.ts): OpenAI Chat Completions
 * streaming, each reply `tokens` text deltas `gap` ms apart, each delta stamped `<ms>` with the wall
 * clock (performance.timeOrigin + now, comparable across threads) at the moment it was written; or a
 * tool call when the last message is the user's and says TOOL.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parentPort, workerData } from 'node:worker_threads'

type Command = { type: 'gap'; id: number; ms: number } | { type: 'lastBody'; id: number } | { type: 'close' }

const tokens = (workerData as { tokens: number }).tokens
const port = parentPort!
let gap = 0
let lastRequest = ''

const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1, model: 'bench-model', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`

const server = createServer((req, res) => {
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
        res.write(chunk({ content: `<${(performance.timeOrigin + performance.now()).toFixed(3)}>` }))
      }
      res.write(chunk({}, 'stop'))
    }
    res.write(`data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1, model: 'bench-model', choices: [], usage: { prompt_tokens: 50, completion_tokens: tokens, total_tokens: 50 + tokens } })}\n\n`)
    res.end('data: [DONE]\n\n')
  })
})
server.keepAliveTimeout = 60_000

port.on('message', (command: Command) => {
  if (command.type === 'gap') {
    gap = command.ms
    port.postMessage({ type: 'reply', id: command.id, body: '' })
  } else if (command.type === 'lastBody') port.postMessage({ type: 'reply', id: command.id, body: lastRequest })
  else {
    server.closeAllConnections()
    server.close(() => port.close())
  }
})
server.listen(0, '127.0.0.1', () => port.postMessage({ type: 'ready', port: (server.address() as AddressInfo).port }))
