/**
 * Test helper (not used at runtime): a WebSocket client over `ws` that queues the server's JSON frames
 * and lets a test wait for the one it expects.
 */
import WebSocket, { type ClientOptions } from 'ws'
import type { protocol } from '../../../kernel/index.js'

export type Frame = protocol.WsServerFrame & Record<string, unknown>

export interface WsReader {
  socket: WebSocket
  /** Every frame received so far, in order, and the raw texts. */
  frames: Frame[]
  texts: string[]
  send(message: unknown): void
  /** Frames from the read position until `stop` matches one (included); rejects after timeoutMs. */
  readUntil(stop: (frame: Frame) => boolean, timeoutMs?: number): Promise<Frame[]>
  /** Resolves with the close code and reason once the socket is closed. */
  closed: Promise<{ code: number; reason: string }>
  close(): void
}

export async function openWs(url: string, options: ClientOptions = {}): Promise<WsReader> {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), options)
  const frames: Frame[] = []
  const texts: string[] = []
  let read = 0
  let wake: (() => void) | undefined
  socket.on('message', (data) => {
    texts.push(String(data))
    frames.push(JSON.parse(String(data)) as Frame)
    wake?.()
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => {
      resolve({ code, reason: String(reason) })
      wake?.()
    })
  })
  socket.on('error', () => undefined)
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: ${response.statusCode}`)))
    socket.once('error', reject)
  })
  return {
    socket,
    frames,
    texts,
    send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
    async readUntil(stop, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs
      const seen: Frame[] = []
      for (;;) {
        while (read < frames.length) {
          const frame = frames[read++]
          seen.push(frame)
          if (stop(frame)) return seen
        }
        if (socket.readyState === WebSocket.CLOSED) throw new Error(`socket closed before the expected frame; got ${JSON.stringify(seen.map((f) => f.op ?? f.type))}`)
        const left = deadline - Date.now()
        if (left <= 0) throw new Error(`no expected frame within ${timeoutMs} ms; got ${JSON.stringify(seen.map((f) => f.op ?? f.type))}`)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left)
          wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
      }
    },
    closed,
    close: () => socket.terminate(),
  }
}
