import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import type { Logger, ToolContext } from '../../../kernel/index.js'
import { configSchema, type WebOptions } from './config.js'

/** Test-only helpers: a ToolContext and a loopback HTTP server. */

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent }

export interface TestToolContext extends ToolContext {
  progress: Array<{ message?: string }>
  controller: AbortController
}

export function toolContext(): TestToolContext {
  const controller = new AbortController()
  const progress: Array<{ message?: string }> = []
  return {
    sessionId: 'ses_test',
    turnId: 'trn_test',
    callId: 'call_test',
    abortSignal: controller.signal,
    workdir: tmpdir(),
    reportProgress: (p) => progress.push(p),
    ask: async () => undefined,
    logger: silent,
    progress,
    controller,
  }
}

export function webOptions(input: Partial<WebOptions> = {}): WebOptions {
  return configSchema.parse(input)
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  origin: string
  port: number
  /** Paths requested, in order. */
  hits: string[]
  close(): Promise<void>
}

/** Starts a loopback server routing by path (without the query); unknown paths answer 404. */
export async function startServer(routes: Record<string, Handler>): Promise<TestServer> {
  const hits: string[] = []
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    hits.push(req.url ?? '/')
    const handler = routes[path]
    if (handler) handler(req, res)
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
