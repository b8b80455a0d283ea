import { AsyncSeriesWaterfallHook } from 'tapable'
import type { DelegateRequest, SpawnContext } from '../turn.js'

export function createSubagentHooks() {
  return {
    /**
     * I. Waterfall before a child session is made for a delegation: return the (narrowed) request.
     * Policy taps restrict agent, tools, model or steps; a throw refuses the delegation (the delegating
     * tool gets the error).
     */
    spawn: new AsyncSeriesWaterfallHook<[DelegateRequest, SpawnContext]>(['request', 'ctx'], 'subagent.spawn'),
  }
}
export type SubagentHooks = ReturnType<typeof createSubagentHooks>
