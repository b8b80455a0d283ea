import type { OAuthAdapter } from './adapter.js'
import { pollDeviceGrant } from './device-poller.js'
import { OAuthErrorCode, oauthError } from './errors.js'
import { addProgress, type FlowRecord, type FlowStore } from './flow-store.js'
import type { TokenSet } from './tokens.js'

export interface DeviceFlowRun {
  record: FlowRecord
  adapter: OAuthAdapter
  signal: AbortSignal
  slowDownMs: number
  flows: FlowStore
  now: () => Date
  complete(tokens: TokenSet): Promise<unknown>
  fail(error: unknown, status: 'failed' | 'expired'): Promise<void>
}

const MESSAGES: Record<string, string> = {
  pending: 'Waiting for the user to approve the code.',
  network_error: 'The authorisation server could not be reached; polling again.',
}

/**
 * Poll the device grant in the background, writing each step into the flow record (so any
 * instance can report progress), then store the login or mark the flow expired/failed.
 */
export async function runDeviceFlow(run: DeviceFlowRun): Promise<void> {
  const { record, adapter } = run
  const device = record.device!
  let last = ''
  const outcome = await pollDeviceGrant({
    poll: () => adapter.pollDevice!({ ...device, expiresInMs: 0 }),
    intervalMs: device.intervalMs,
    slowDownMs: run.slowDownMs,
    deadline: Date.parse(record.expiresAt),
    signal: run.signal,
    onPoll: async (kind, intervalMs) => {
      await run.flows.update(record.flowId, (r) => {
        r.device!.polls += 1
        r.device!.intervalMs = intervalMs
        const message = kind === 'slow_down' ? `The server asked to slow down; polling every ${intervalMs / 1000} s.` : MESSAGES[kind]
        if (message && (kind !== last || kind === 'slow_down')) addProgress(r, run.now(), message)
        if (kind === 'approved') addProgress(r, run.now(), 'Approved; exchanging the code for tokens.')
      })
      last = kind
    },
  })
  if (outcome.kind === 'approved') {
    await run.complete(outcome.tokens).catch((error: unknown) => run.fail(error, 'failed'))
  } else if (outcome.kind === 'expired') {
    await run.fail(oauthError(OAuthErrorCode.DEVICE_EXPIRED, `The device code ${device.userCode} expired before it was approved. Start a new login.`), 'expired')
  } else if (outcome.kind === 'denied') {
    await run.fail(oauthError(OAuthErrorCode.AUTHORIZATION_DENIED, `${outcome.message} Start a new login to try again.`), 'failed')
  } else if (outcome.kind === 'failed') {
    await run.fail(outcome.error, 'failed')
  }
}
