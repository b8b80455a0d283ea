import { PlatformError } from '../../../kernel/index.js'

/**
 * Wait for `work` at most `ms`; on expiry call `onExpire` (which aborts the HTTP request) and reject with
 * PROVIDER_GEMINI_STREAM_IDLE. A late rejection of `work` is absorbed.
 */
export function withIdleTimeout<T>(work: Promise<T>, ms: number, what: string, onExpire: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onExpire()
      reject(new PlatformError('PROVIDER_GEMINI_STREAM_IDLE', `Gemini sent nothing for ${ms} ms while ${what}; the request was closed. Try again.`, { retryable: true, details: { idleTimeoutMs: ms } }))
    }, ms)
    work.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}
