import type { AwilixContainer } from 'awilix'
import type { KernelConfig } from '../config.js'
import type { KernelHooks } from '../hooks/index.js'
import type { Clock, EventBus, Ids, Locks, Logger, SessionStore } from '../ports/types.js'
import type { FinishReason, MessageInfo } from '../protocol/index.js'
import type { KernelRegistries } from '../registries/index.js'
import type { EventWriter } from './event-writer.js'

export interface EngineDeps {
  config: KernelConfig
  hooks: KernelHooks
  registries: KernelRegistries
  sessionStore: SessionStore
  eventBus: EventBus
  locks: Locks
  clock: Clock
  ids: Ids
  logger: Logger
  container: AwilixContainer
  notify: (hook: unknown, ...args: unknown[]) => Promise<void>
}

/** What a queued turn does: answer the user's message, or compact the conversation (manual). */
export type TurnJob =
  /** `stored`: the user message being saved; the turn takes its lock meanwhile and starts once it is stored (it ends at once if the save fails). */
  | { kind: 'answer'; signal?: AbortSignal; maxSteps?: number; stored?: Promise<unknown> }
  | { kind: 'compact'; done: (result: CompactResult | Error) => void }

/** How a queued turn ended (also when it never started). */
export type TurnOutcome = { finish: FinishReason; error?: { code: string; message: string } }

export interface CompactResult {
  turnId: string
  compacted: boolean
  messageId?: string
}

export interface SessionRuntime {
  tail: Promise<void>
  queued: number
  active: AbortController | null
  events: EventWriter
  seeded: boolean
  /** Cached history (the DB is the truth); `historySeq` is the seq this instance last stored. */
  history: MessageInfo[] | null
  historySeq: number
}

