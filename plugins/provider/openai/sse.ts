import { createParser, type EventSourceMessage } from 'eventsource-parser'
import { isNetworkError, streamError, type ErrorContext } from './errors.js'

/** Server-sent events of a fetch body, parsed by eventsource-parser. A broken connection is a truncated stream. */
export async function* sseMessages(body: ReadableStream<Uint8Array>, context: ErrorContext): AsyncGenerator<EventSourceMessage> {
  const queue: EventSourceMessage[] = []
  const parser = createParser({ onEvent: (message) => queue.push(message) })
  const decoder = new TextDecoder()
  const reader = body.getReader()
  try {
    for (;;) {
      let read: Awaited<ReturnType<typeof reader.read>>
      try {
        read = await reader.read()
      } catch (error) {
        throw isNetworkError(error) ? streamError.truncated(context) : error
      }
      parser.feed(read.done ? decoder.decode() : decoder.decode(read.value, { stream: true }))
      while (queue.length > 0) yield queue.shift()!
      if (read.done) return
    }
  } finally {
    void reader.cancel().catch(() => undefined)
  }
}
