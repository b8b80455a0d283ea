import type { Clock, Ids, Logger, ModelActivity, ModelRequest, UsageReport } from '../../../kernel/index.js'
import { attribute, type UsageActivity } from './attribution.js'
import type { PriceSpec } from './catalogue.data.js'
import { insertCall, readTotals, type Db, type LedgerRow } from './ledger-store.js'
import type { Lineage } from './lineage.js'
import { normaliseUsage } from './normalise.js'
import { lookupPrice, priceCall } from './pricing.js'
import type { UsageAmounts } from './amounts.js'
import type { protocol } from '../../../kernel/index.js'

/** Everything known about one finished model call. */
export interface MeteredCall {
  sessionId: string
  turnId: string
  /** The assistant message the call produced; null for calls without one (title, compaction). */
  messageId: string | null
  step: number
  provider: string
  model: string
  /** The kernel's activity of the call (ModelRequest.activity / StreamContext.activity). */
  activity: ModelActivity | undefined
  usage: UsageReport
  /** The request as sent (for attribution), when it was seen. */
  request: ModelRequest | null
  /** Tool calls the model made in this call. */
  toolCalls: Array<{ tool: string; input: unknown }>
  startedAt?: number
  endedAt: number
}

export interface MeterDeps {
  db(): Db
  lineageOf(sessionId: string): Promise<Lineage>
  /** The turn a session is running (the parent run of its children's calls). */
  currentTurnOf(sessionId: string): string | null
  pricing: Record<string, PriceSpec | null>
  ids: Pick<Ids, 'next'>
  clock: Pick<Clock, 'now'>
  emit(stream: 'session' | 'global', sessionId: string, data: protocol.UsageUpdatedData): void
  logger: Logger
}

/** The ledger's activity for a call: side calls are what they are; any other call of a child session is `subagent`. */
export function ledgerActivity(activity: ModelActivity | undefined, isChild: boolean): UsageActivity {
  if (activity === 'compaction' || activity === 'title') return activity
  if (isChild || activity === 'sub-agent') return 'subagent'
  return activity === 'tool' ? 'tool_use' : 'conversation'
}

export function createMeter(deps: MeterDeps) {
  /** One write chain per root session: a tree's totals and events go out in call order. */
  const chains = new Map<string, Promise<unknown>>()
  const inflight = new Set<Promise<unknown>>()

  async function write(call: MeteredCall, lineage: Lineage): Promise<LedgerRow> {
    const usage = normaliseUsage(call.usage)
    const price = lookupPrice(call.provider, call.model, deps.pricing)
    const cost = priceCall(price.spec, usage)
    const activity = ledgerActivity(call.activity, lineage.ancestorIds.length > 0)
    const parts = attribute({ request: call.request, activity: activity === 'compaction' || activity === 'title' ? activity : 'conversation', toolCalls: call.toolCalls, usage, cost })
    const parentId = lineage.ancestorIds[0] ?? null
    const row: LedgerRow = {
      id: deps.ids.next('use'),
      sessionId: call.sessionId,
      rootSessionId: lineage.rootId,
      parentSessionId: parentId,
      ancestorIds: lineage.ancestorIds,
      parentTurnId: parentId ? deps.currentTurnOf(parentId) : null,
      messageId: call.messageId || null,
      turnId: call.turnId,
      step: call.step,
      provider: call.provider,
      model: call.model,
      activity,
      usage,
      costPico: cost ? cost.total : null,
      priceSource: cost ? price.source : null,
      latencyMs: call.startedAt ? Math.max(0, call.endedAt - call.startedAt) : null,
      createdAt: deps.clock.now().toISOString(),
    }
    const totals = await insertCall(deps.db(), row, parts)
    await announce(row, lineage, totals)
    return row
  }

  async function announce(row: LedgerRow, lineage: Lineage, totals: Awaited<ReturnType<typeof insertCall>>) {
    const find = (scope: string, key: string) => totals.find((t) => t.scope === scope && t.key === key)?.amounts
    const ownOfAncestors = await readTotals(deps.db(), 'session', lineage.ancestorIds)
    const u = row.usage
    const call: protocol.UsageUpdatedData['call'] = {
      ledgerId: row.id, sessionId: row.sessionId, messageId: row.messageId, turnId: row.turnId, step: row.step, provider: row.provider, model: row.model,
      activity: row.activity, input: u.input, output: u.output, reasoning: u.reasoning, cacheRead: u.cacheRead, cacheWrite: u.cacheWrite,
      costPico: row.costPico === null ? null : row.costPico.toString(), latencyMs: row.latencyMs,
    }
    for (const id of [row.sessionId, ...lineage.ancestorIds]) {
      const own: UsageAmounts | undefined = id === row.sessionId ? find('session', id) : ownOfAncestors.get(id)
      const total = find('tree', id)
      if (!own || !total) continue
      const data = { sessionId: id, own, total, call }
      deps.emit('session', id, data)
      if (id === row.sessionId) deps.emit('global', id, data)
    }
  }

  return {
    /** Meter one call: ledger row, attribution, totals (one statement), then `usage.updated` events. */
    record(call: MeteredCall): Promise<LedgerRow> {
      const done = recordInOrder(call)
      inflight.add(done)
      void done.catch(() => undefined).finally(() => inflight.delete(done))
      return done
    },
    /** Wait for every write issued so far (tests, shutdown). */
    async flush(): Promise<void> {
      while (inflight.size > 0) await Promise.allSettled([...inflight])
    },
  }

  async function recordInOrder(call: MeteredCall): Promise<LedgerRow> {
    const lineage = await deps.lineageOf(call.sessionId)
    const previous = chains.get(lineage.rootId) ?? Promise.resolve()
    const next = previous.catch(() => undefined).then(() => write(call, lineage))
    chains.set(lineage.rootId, next)
    void next.catch(() => undefined).finally(() => {
      if (chains.get(lineage.rootId) === next) chains.delete(lineage.rootId)
    })
    return next
  }
}

export type Meter = ReturnType<typeof createMeter>
