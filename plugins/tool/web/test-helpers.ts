import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createTestToolContext, type TestToolContext } from '../../../kernel/testing/index.js'
import { configSchema, type WebOptions } from './config.js'

/** Test-only helpers: a ToolContext and a loopback HTTP server. */


/** A ToolContext for direct execute() calls (the kernel's test helper). */
export const toolContext = (): TestToolContext => createTestToolContext()

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
