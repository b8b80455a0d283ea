import { PlatformError } from '../errors.js'

export interface StreamTimeouts {
  /** Longest wait for the first chunk. */
  firstByteMs: number
  /** Longest gap between two chunks. */
  idleMs: number
}

/**
 * Wrap a provider stream so a silent model never hangs a turn: no first chunk within `firstByteMs`,
 * or a gap longer than `idleMs`, ends the stream with PROVIDER_TIMEOUT (partial output is kept by the caller).
 */
export async function* withStreamTimeouts<T>(stream: AsyncIterable<T>, timeouts: StreamTimeouts): AsyncGenerator<T> {
  const iterator = stream[Symbol.asyncIterator]()
  let first = true
  try {
    for (;;) {
      const limit = first ? timeouts.firstByteMs : timeouts.idleMs
      let timer: NodeJS.Timeout | undefined
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const what = first ? `sent nothing within ${limit} ms` : `went silent for more than ${limit} ms`
          reject(new PlatformError('PROVIDER_TIMEOUT', `The model ${what}; try again or pick another model.`, { retryable: true, details: { timeoutMs: limit } }))
        }, limit)
      })
      let next: IteratorResult<T>
      try {
        next = await Promise.race([iterator.next(), expired])
      } finally {
        clearTimeout(timer)
      }
      if (next.done) return
      first = false
      yield next.value
    }
  } finally {
    void iterator.return?.()?.catch(() => undefined)
  }
}
