import type { KeyValue } from '../../../kernel/index.js'
import type { FlowKind, ProviderId } from './adapter.js'
import type { OAuthPolicy } from './policy.js'

export type FlowStatus = 'pending' | 'completed' | 'failed' | 'expired'

export interface FlowProgress {
  at: string
  message: string
}

/** A flow as kept in the kv port: secrets (state, verifier, device id) never leave the server. */
export interface FlowRecord {
  flowId: string
  provider: ProviderId
  flow: FlowKind
  status: FlowStatus
  createdAt: string
  expiresAt: string
  url?: string
  redirectUri?: string
  state?: string
  verifier?: string
  device?: { deviceAuthId: string; userCode: string; verificationUri: string; intervalMs: number; polls: number }
  listener?: { status: 'listening' | 'failed' | 'closed'; redirectUri?: string; error?: { code: string; message: string } }
  progress: FlowProgress[]
  error?: { code: string; message: string }
  credential?: { id: string; hint: string; expiresAt: string | null; meta: Record<string, unknown> }
  /** Whose login this is: a member's own, or null for a server-wide one (an admin's). */
  ownerId?: string | null
}

/** What the API returns for a flow. */
export interface FlowView {
  flowId: string
  provider: ProviderId
  flow: FlowKind
  status: FlowStatus
  createdAt: string
  expiresAt: string
  url?: string
  userCode?: string
  verificationUri?: string
  interval?: number
  listener?: FlowRecord['listener']
  progress: FlowProgress[]
  error?: { code: string; message: string }
  credential?: FlowRecord['credential']
  policy?: OAuthPolicy
}

const MAX_PROGRESS = 30

export function effectiveStatus(record: FlowRecord, now: Date): FlowStatus {
  return record.status === 'pending' && Date.parse(record.expiresAt) <= now.getTime() ? 'expired' : record.status
}

export function publicView(record: FlowRecord, now: Date): FlowView {
  const view: FlowView = {
    flowId: record.flowId,
    provider: record.provider,
    flow: record.flow,
    status: effectiveStatus(record, now),
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    progress: record.progress,
  }
  if (record.url) view.url = record.url
  if (record.device) {
    view.userCode = record.device.userCode
    view.verificationUri = record.device.verificationUri
    view.interval = Math.ceil(record.device.intervalMs / 1000)
  }
  if (record.listener) view.listener = record.listener
  if (record.error) view.error = record.error
  if (record.credential) view.credential = record.credential
  return view
}

export function addProgress(record: FlowRecord, at: Date, message: string): void {
  record.progress = [...record.progress, { at: at.toISOString(), message }].slice(-MAX_PROGRESS)
}

export interface FlowStore {
  get(flowId: string): Promise<FlowRecord | null>
  put(record: FlowRecord): Promise<void>
  /** Read, change, write back; null when the flow is gone. */
  update(flowId: string, change: (record: FlowRecord) => void): Promise<FlowRecord | null>
}

/** Flow records in the kv port (Redis when configured), kept until expiry plus `retentionMs`. */
export function createFlowStore(deps: { kv: KeyValue; retentionMs: number; now: () => Date }): FlowStore {
  const key = (flowId: string) => `auth-oauth:flow:${flowId}`
  const store: FlowStore = {
    async get(flowId) {
      if (!/^[A-Za-z0-9_-]{8,64}$/.test(flowId)) return null
      const raw = await deps.kv.get(key(flowId))
      return raw ? (JSON.parse(raw) as FlowRecord) : null
    },
    async put(record) {
      const ttlMs = Math.max(1_000, Date.parse(record.expiresAt) - deps.now().getTime() + deps.retentionMs)
      await deps.kv.set(key(record.flowId), JSON.stringify(record), { ttlMs })
    },
    async update(flowId, change) {
      const record = await store.get(flowId)
      if (!record) return null
      change(record)
      await store.put(record)
      return record
    },
  }
  return store
}
