import type { ModelActivity, ModelRequest, StreamContext, TurnContext, UsageReport } from '../../../kernel/index.js'
import type { MeteredCall } from './meter.js'

const MAX_PENDING = 2000

/**
 * Pieces of one model call arrive on separate notification hooks: the request (request.sent), the
 * tool calls (stream.toolCall), the usage (stream.usage), the end (stream.finished). This joins them:
 * requests are keyed by session, turn, step and activity; stream pieces by message id. A call with a
 * message completes at stream.finished (after every tool call); a side call (title, compaction: no
 * message, no stream.finished) completes at its usage.
 */
export function createCallTracker(onCall: (call: MeteredCall) => void, now: () => number = Date.now) {
  const requests = new Map<string, ModelRequest>()
  const toolCalls = new Map<string, Array<{ tool: string; input: unknown }>>()
  const usages = new Map<string, { usage: UsageReport; ctx: StreamContext }>()
  const currentTurn = new Map<string, string>()
  const key = (sessionId: string, turnId: string, step: number, activity: ModelActivity | undefined) => `${sessionId}\u0000${turnId}\u0000${step}\u0000${activity ?? 'conversation'}`
  /** Bounded: a call that failed before any usage leaves its request behind. */
  const remember = <V>(map: Map<string, V>, k: string, value: V) => {
    map.set(k, value)
    if (map.size > MAX_PENDING) map.delete(map.keys().next().value as string)
  }

  function complete(usage: UsageReport, ctx: StreamContext) {
    const k = key(ctx.sessionId, ctx.turnId, ctx.step ?? 0, ctx.activity)
    const request = requests.get(k) ?? null
    requests.delete(k)
    const calls = ctx.messageId ? toolCalls.get(ctx.messageId) ?? [] : []
    if (ctx.messageId) toolCalls.delete(ctx.messageId)
    onCall({
      sessionId: ctx.sessionId, turnId: ctx.turnId, messageId: ctx.messageId || null, step: ctx.step ?? 0,
      provider: ctx.provider ?? request?.provider ?? 'unknown', model: ctx.model ?? request?.model ?? 'unknown',
      activity: ctx.activity ?? request?.activity, usage, request, toolCalls: calls, ...(ctx.startedAt ? { startedAt: ctx.startedAt } : {}), endedAt: now(),
    })
  }

  return {
    requestSent(request: ModelRequest, turn: TurnContext) {
      remember(requests, key(turn.sessionId, turn.turnId, turn.step, request.activity), request)
      if (request.activity === 'conversation') remember(currentTurn, turn.sessionId, turn.turnId)
    },
    toolCall(call: { tool: string; input: unknown }, ctx: StreamContext) {
      if (!ctx.messageId) return
      const list = toolCalls.get(ctx.messageId) ?? []
      list.push({ tool: call.tool, input: call.input })
      remember(toolCalls, ctx.messageId, list)
    },
    usage(usage: UsageReport, ctx: StreamContext) {
      if (!ctx.messageId) complete(usage, ctx)
      else remember(usages, ctx.messageId, { usage, ctx })
    },
    finished(ctx: StreamContext) {
      if (!ctx.messageId) return
      const seen = usages.get(ctx.messageId)
      usages.delete(ctx.messageId)
      if (seen) return complete(seen.usage, { ...seen.ctx, ...ctx })
      // No usage reported: nothing to meter; drop what was kept for the call.
      toolCalls.delete(ctx.messageId)
      requests.delete(key(ctx.sessionId, ctx.turnId, ctx.step ?? 0, ctx.activity))
    },
    currentTurnOf: (sessionId: string) => currentTurn.get(sessionId) ?? null,
    /** How many pieces are held (tests: nothing leaks after calls complete). */
    pending: () => ({ requests: requests.size, toolCalls: toolCalls.size, usages: usages.size }),
  }
}
