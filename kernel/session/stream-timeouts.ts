import { PlatformError } from '../errors.js'
import { InterruptibleIterator } from '../interruptible.js'

export interface StreamTimeouts {
  /** Longest wait for the first chunk. */
  firstByteMs: number
  /** Longest gap between two chunks. */
  idleMs: number
}

export interface TimedStream<T> {
  stream: AsyncGenerator<T>
  /** The provider is waiting `ms` before a retry: push the current deadline back by that much. */
  extend(ms: number): void
}

/**
 * Wrap a provider stream so a silent model never hangs a turn: no first chunk within `firstByteMs`,
 * or a gap longer than `idleMs`, ends the stream with PROVIDER_TIMEOUT (partial output is kept by the
 * caller). A provider announcing a retry delay (`extend`) gets that much more time.
 */
export function withStreamTimeouts<T>(source: AsyncIterable<T>, timeouts: StreamTimeouts): TimedStream<T> {
  // One watchdog per stream, not a timer per chunk: each chunk only moves the deadline; the timer,
  // when it fires early, re-arms itself for what is left.
  let first = true
  let deadline = 0
  let timer: NodeJS.Timeout | undefined
  let reads: InterruptibleIterator<T> | null = null
  /** True while waiting for the model; the consumer's own time between chunks never counts. */
  let waiting = false
  const limit = () => (first ? timeouts.firstByteMs : timeouts.idleMs)
  /** When the armed timer fires; a deadline moved earlier than that re-arms it. */
  let firesAt = Infinity
  const watch = () => {
    clearTimeout(timer)
    firesAt = deadline
    timer = setTimeout(function check() {
      if (!waiting) deadline = Math.max(deadline, performance.now() + timeouts.idleMs)
      const left = deadline - performance.now()
      if (left > 0) {
        firesAt = deadline
        timer = setTimeout(check, left)
        return
      }
      const what = first ? `sent nothing within ${timeouts.firstByteMs} ms` : `went silent for more than ${timeouts.idleMs} ms`
      reads?.fail(new PlatformError('PROVIDER_TIMEOUT', `The model ${what}; try again or pick another model.`, { retryable: true, details: { timeoutMs: limit() } }))
    }, Math.max(0, deadline - performance.now()))
  }
  async function* run(): AsyncGenerator<T> {
    const iterator = new InterruptibleIterator(source[Symbol.asyncIterator]())
    reads = iterator
    deadline = performance.now() + limit()
    watch()
    try {
      for (;;) {
        waiting = true
        let next: IteratorResult<T>
        try {
          next = await iterator.next()
        } finally {
          waiting = false
        }
        if (next.done) return
        first = false
        yield next.value
        deadline = performance.now() + timeouts.idleMs
        if (deadline < firesAt) watch()
      }
    } finally {
      clearTimeout(timer)
      reads = null
      iterator.close()
    }
  }
  return {
    stream: run(),
    extend: (ms) => {
      if (!reads) return
      deadline = Math.max(deadline, performance.now() + limit() + ms)
      if (deadline - performance.now() > 0) watch()
    },
  }
}
