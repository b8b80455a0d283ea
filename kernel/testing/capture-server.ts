import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request as it arrived on the wire. */
export interface CapturedRequest {
  method: string
  /** Path and query, e.g. `/v1/messages?beta=true`. */
  url: string
  headers: IncomingHttpHeaders
  /** Raw body text. */
  body: string
  /** Body parsed as JSON when it is JSON, else undefined. */
  json: unknown
}

/** How to answer: a status, headers, and a body given whole or as chunks written with pauses. */
export interface CapturedResponse {
  status?: number
  headers?: Record<string, string>
  body?: string
  chunks?: Array<string | { pauseMs: number }>
  /** Stop writing after the chunks without ending the response (a stalled stream). */
  hang?: boolean
  /** Destroy the socket after the chunks (a broken stream). */
  destroy?: boolean
}

export interface CaptureServer {
  /** `http://127.0.0.1:<port>` */
  url: string
  requests: CapturedRequest[]
  close(): Promise<void>
}

/**
 * A loopback HTTP server that records every request and answers with `respond` (tests of provider
 * plugins point their base URL here and assert exactly what was sent).
 */
export async function createCaptureServer(respond: (request: CapturedRequest, index: number) => CapturedResponse | Promise<CapturedResponse>): Promise<CaptureServer> {
  const requests: CapturedRequest[] = []
  const open = new Set<import('node:net').Socket>()
  const server: Server = createServer(async (req, res) => {
    const parts: Buffer[] = []
    for await (const part of req) parts.push(part as Buffer)
    const body = Buffer.concat(parts).toString('utf8')
    let json: unknown
    try {
      json = body ? JSON.parse(body) : undefined
    } catch {
      json = undefined
    }
    const captured: CapturedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body, json }
    requests.push(captured)
    const answer = await respond(captured, requests.length - 1)
    res.writeHead(answer.status ?? 200, answer.headers ?? { 'content-type': 'application/json' })
    if (answer.chunks) {
      for (const chunk of answer.chunks) {
        if (typeof chunk === 'string') res.write(chunk)
        else await new Promise((resolve) => setTimeout(resolve, chunk.pauseMs))
        if (res.destroyed) return
      }
      if (answer.destroy) {
        res.socket?.destroy()
        return
      }
      if (answer.hang) return
      res.end()
      return
    }
    res.end(answer.body ?? '')
  })
  server.on('connection', (socket) => {
    open.add(socket)
    socket.on('close', () => open.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

/** Server-sent events text from `[event, data]` pairs (data objects are JSON-encoded). */
export function sseBody(events: Array<[string | null, unknown]>): string[] {
  return events.map(([event, data]) => `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`)
}
