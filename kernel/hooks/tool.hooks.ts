import { AsyncParallelHook, AsyncSeriesBailHook, AsyncSeriesWaterfallHook, SyncWaterfallHook } from 'tapable'
import type { ToolDefinition, ToolResult } from '../tool.js'
import type { TurnContext } from '../turn.js'

/** A tool call whose arguments parsed and validated. */
export interface ParsedCall {
  callId: string
  tool: string
  kind: ToolDefinition['kind']
  args: Record<string, unknown>
  /** What permission rules match against (the tool's `subject(args)`, else the tool name). */
  subject: string
}

/** A permission decision; `ask` goes to the user. */
export type PermissionDecision = { action: 'allow' | 'deny' | 'ask'; reason?: string; decidedBy?: string }

export interface ToolTiming {
  startedAt: string
  durationMs: number
}

export function createToolHooks() {
  return {
    /** I. Waterfall over the tools offered to the model for one call; return the (filtered) list. */
    select: new SyncWaterfallHook<[ToolDefinition[], TurnContext]>(['tools', 'turn'], 'tool.select'),
    /** I. Bail by PermissionStage: the first decisive answer wins; nothing = the kernel's default by kind. */
    permission: new AsyncSeriesBailHook<[ParsedCall, TurnContext], PermissionDecision | undefined>(['call', 'turn'], 'tool.permission'),
    /** I. Waterfall after an allow; the returned call is validated again. */
    beforeExecute: new AsyncSeriesWaterfallHook<[ParsedCall, TurnContext]>(['call', 'turn'], 'tool.beforeExecute'),
    /** I. Waterfall over the result (a throw in execute already became an error result). */
    afterExecute: new AsyncSeriesWaterfallHook<[ToolResult, ParsedCall, TurnContext]>(['result', 'call', 'turn'], 'tool.afterExecute'),
    /** N. After afterExecute; awaited, isolated. */
    executed: new AsyncParallelHook<[ParsedCall, ToolResult, ToolTiming]>(['call', 'result', 'timing'], 'tool.executed'),
  }
}
export type ToolHooks = ReturnType<typeof createToolHooks>
