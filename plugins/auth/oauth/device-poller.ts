import { isPlatformError } from '../../../kernel/index.js'
import type { DevicePoll } from './adapter.js'
import type { TokenSet } from './tokens.js'

export type DeviceOutcome =
  | { kind: 'approved'; tokens: TokenSet }
  | { kind: 'expired' }
  | { kind: 'denied'; message: string }
  | { kind: 'failed'; error: unknown }
  | { kind: 'aborted' }

export interface DevicePollerOptions {
  poll: () => Promise<DevicePoll>
  intervalMs: number
  /** Added to the interval on each `slow_down` (RFC 8628 §3.5: 5 seconds). */
  slowDownMs: number
  /** Epoch ms after which the device code is dead. */
  deadline: number
  signal: AbortSignal
  /** After each poll: what it said and the interval now in force. */
  onPoll(result: DevicePoll['kind'] | 'network_error', intervalMs: number): Promise<void>
}

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false)
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve(true)
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      resolve(false)
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * Poll a device grant every `intervalMs` until it is approved, denied or expired:
 * `authorization_pending` (and the reference's 403/404) waits, `slow_down` lengthens the interval,
 * a transient network failure waits and tries again, anything else ends the flow.
 */
export async function pollDeviceGrant(options: DevicePollerOptions): Promise<DeviceOutcome> {
  let intervalMs = options.intervalMs
  for (;;) {
    const wait = Math.min(intervalMs, Math.max(0, options.deadline - Date.now()))
    if (!(await sleep(wait, options.signal))) return { kind: 'aborted' }
    if (Date.now() >= options.deadline) return { kind: 'expired' }
    let result: DevicePoll
    try {
      result = await options.poll()
    } catch (error) {
      if (options.signal.aborted) return { kind: 'aborted' }
      if (isPlatformError(error) && error.retryable) {
        await options.onPoll('network_error', intervalMs)
        continue
      }
      return { kind: 'failed', error }
    }
    if (options.signal.aborted) return { kind: 'aborted' }
    if (result.kind === 'slow_down') intervalMs += options.slowDownMs
    await options.onPoll(result.kind, intervalMs)
    if (result.kind === 'approved' || result.kind === 'expired' || result.kind === 'denied') return result
  }
}
