import { AsyncSeriesBailHook, AsyncSeriesWaterfallHook, SyncHook } from 'tapable'
import type { ModelRequest } from '../provider.js'
import type { Rejection, TurnContext } from '../turn.js'

export function createRequestHooks() {
  return {
    /** I. Bail before each model call: return a Rejection to refuse it (budgets, quotas). */
    admit: new AsyncSeriesBailHook<[ModelRequest, TurnContext], Rejection | undefined>(['request', 'turn'], 'request.admit'),
    /** I. Waterfall by RequestBuildStage; return the (possibly new) request. */
    build: new AsyncSeriesWaterfallHook<[ModelRequest, TurnContext]>(['request', 'turn'], 'request.build'),
    /** N. After dispatch, with the final request. */
    sent: new SyncHook<[ModelRequest, TurnContext]>(['request', 'turn'], 'request.sent'),
  }
}
export type RequestHooks = ReturnType<typeof createRequestHooks>
