/**
 * Reads an async iterator while letting a watchdog fail the read in progress: `fail(error)` rejects
 * the `next()` being awaited, and every later one. For stream timeouts, which check every chunk: racing
 * each `next()` against a shared pending promise (`Promise.race`) cost about ten times as much per chunk,
 * and left one reaction on that promise per chunk until the stream ended.
 */
export class InterruptibleIterator<T> {
  #reject: ((error: unknown) => void) | null = null
  #failure: { error: unknown } | null = null

  constructor(private readonly iterator: AsyncIterator<T>) {}

  /** The iterator's next result, unless `fail` comes first. */
  next(): Promise<IteratorResult<T>> {
    if (this.#failure) return Promise.reject(this.#failure.error)
    return new Promise<IteratorResult<T>>((resolve, reject) => {
      this.#reject = reject
      this.iterator.next().then(resolve, reject)
    })
  }

  /** Fail the read in progress (if any) and every later one with `error` (the first failure wins). */
  fail(error: unknown): void {
    this.#failure ??= { error }
    this.#reject?.(this.#failure.error)
  }

  /** Close the underlying iterator (its own failure to close is ignored). */
  close(): void {
    void this.iterator.return?.()?.catch(() => undefined)
  }
}
