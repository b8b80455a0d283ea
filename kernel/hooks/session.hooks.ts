import { AsyncParallelHook, AsyncSeriesHook, AsyncSeriesWaterfallHook } from 'tapable'
import type { AwilixContainer } from 'awilix'
import type { SessionInfo } from '../protocol/index.js'
import type { CompactionContext, CompactionPlan, SessionDraft } from '../turn.js'

export function createSessionHooks() {
  return {
    /** I. Waterfall before the session row is written; return the (possibly new) draft. */
    create: new AsyncSeriesWaterfallHook<[SessionDraft, { requestedBy: string }]>(['draft', 'ctx'], 'session.create'),
    /** I. The session's DI scope was created, before its first turn. */
    start: new AsyncSeriesHook<[SessionInfo, AwilixContainer]>(['session', 'scope'], 'session.start'),
    /**
     * I. Waterfall over a compaction's plan: which messages are summarized and which are kept as they
     * are. The kernel asks the model for the summary; taps only shape the plan.
     */
    compact: new AsyncSeriesWaterfallHook<[CompactionPlan, CompactionContext]>(['plan', 'ctx'], 'session.compact'),
    /** N. The session was closed or went idle; its scope is disposed next. */
    ended: new AsyncParallelHook<[SessionInfo, string]>(['session', 'reason'], 'session.ended'),
  }
}
export type SessionHooks = ReturnType<typeof createSessionHooks>
