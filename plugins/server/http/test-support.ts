/**
 * Test helpers (used by this plugin's tests and tests/integration): a small SSE reader over Node's
 * fetch, and a booted kernel with server-http on a free port. Not used at runtime.
 */
import { waitFor as poll } from '../../../kernel/testing/wait.js'

export interface SseFrame {
  id?: string
  event?: string
  data?: string
  retry?: number
  /** Comment lines (`: ping`) seen since the previous frame. */
  comments: string[]
}

export interface SseReader {
  status: number
  headers: Headers
  /** The next frame (comment-only blocks included), or null when the stream ended; rejects after timeoutMs. */
  next(timeoutMs?: number): Promise<SseFrame | null>
  /** Frames until `stop` returns true for one (that one included); comment-only blocks are skipped. */
  readUntil(stop: (frame: SseFrame) => boolean, timeoutMs?: number): Promise<SseFrame[]>
  close(): void
}

function parseBlock(block: string): SseFrame {
  const frame: SseFrame = { comments: [] }
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) frame.comments.push(line.slice(1).trim())
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const field = line.slice(0, colon)
    const value = line.slice(colon + 1).replace(/^ /, '')
    if (field === 'id') frame.id = value
    else if (field === 'event') frame.event = value
    else if (field === 'data') frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`
    else if (field === 'retry') frame.retry = Number(value)
  }
  return frame
}

/** Open an SSE stream with fetch (use plain fetch to check error responses). */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const controller = new AbortController()
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal })
  const body = response.body!.getReader()
  const decoder = new TextDecoder()
  let text = ''
  let ended = false
  const frames: SseFrame[] = []

  async function pump(): Promise<void> {
    const chunk = await body.read().catch(() => ({ done: true, value: undefined }))
    if (chunk.done) {
      ended = true
      return
    }
    text += decoder.decode(chunk.value, { stream: true })
    let cut: number
    while ((cut = text.indexOf('\n\n')) >= 0) {
      frames.push(parseBlock(text.slice(0, cut)))
      text = text.slice(cut + 2)
    }
  }

  async function next(timeoutMs = 5000): Promise<SseFrame | null> {
    const deadline = Date.now() + timeoutMs
    while (frames.length === 0 && !ended) {
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no SSE frame within ${timeoutMs} ms`)), Math.max(1, deadline - Date.now()))
      })
      await Promise.race([pump(), timeout]).finally(() => clearTimeout(timer))
    }
    return frames.shift() ?? null
  }

  return {
    status: response.status,
    headers: response.headers,
    next,
    async readUntil(stop, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs
      const seen: SseFrame[] = []
      for (;;) {
        const frame = await next(Math.max(1, deadline - Date.now()))
        if (!frame) throw new Error(`SSE stream ended before the expected frame; got ${seen.map((f) => f.event).join(', ')}`)
        if (frame.event === undefined && frame.data === undefined) continue
        seen.push(frame)
        if (stop(frame)) return seen
      }
    },
    close: () => controller.abort(),
  }
}

/** The envelope carried in a frame's data line. */
export function envelopeOf<T = { seq: number; type: string; data: Record<string, unknown> }>(frame: SseFrame): T {
  return JSON.parse(frame.data ?? 'null') as T
}

/** Poll `check` until it returns true or the deadline passes (no fixed sleeps in tests). */
export const waitFor = (check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> => poll(check, what, timeoutMs, 10)
