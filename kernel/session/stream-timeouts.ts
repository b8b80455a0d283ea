import { PlatformError } from '../errors.js'

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
  let rearm: ((extraMs: number) => void) | null = null
  async function* run(): AsyncGenerator<T> {
    const iterator = source[Symbol.asyncIterator]()
    let first = true
    try {
      for (;;) {
        const limit = first ? timeouts.firstByteMs : timeouts.idleMs
        let timer: NodeJS.Timeout | undefined
        const expired = new Promise<never>((_, reject) => {
          const arm = (ms: number) => {
            clearTimeout(timer)
            timer = setTimeout(() => {
              const what = first ? `sent nothing within ${limit} ms` : `went silent for more than ${limit} ms`
              reject(new PlatformError('PROVIDER_TIMEOUT', `The model ${what}; try again or pick another model.`, { retryable: true, details: { timeoutMs: limit } }))
            }, ms)
          }
          rearm = (extraMs) => arm(limit + extraMs)
          arm(limit)
        })
        let next: IteratorResult<T>
        try {
          next = await Promise.race([iterator.next(), expired])
        } finally {
          clearTimeout(timer)
          rearm = null
        }
        if (next.done) return
        first = false
        yield next.value
      }
    } finally {
      void iterator.return?.()?.catch(() => undefined)
    }
  }
  return { stream: run(), extend: (ms) => rearm?.(ms) }
}
