import { AsyncParallelHook, AsyncSeriesWaterfallHook } from 'tapable'
import type { MessageInfo } from '../protocol/index.js'

export interface MessageHookContext {
  sessionId: string
  turnId: string
}

export function createMessageHooks() {
  return {
    /** I. Waterfall before a message is written to the session store; return the record. */
    persist: new AsyncSeriesWaterfallHook<[MessageInfo, MessageHookContext]>(['message', 'ctx'], 'message.persist'),
    /** N. After the write. */
    persisted: new AsyncParallelHook<[MessageInfo, MessageHookContext]>(['message', 'ctx'], 'message.persisted'),
  }
}
export type MessageHooks = ReturnType<typeof createMessageHooks>
