import type { Clock, KeyValue, Logger, ModelRequest, Rejection, TurnContext } from '../../../kernel/index.js'
import { promptSegments } from './attribution.js'
import type { PriceSpec } from './catalogue.data.js'
import type { Limit } from './config.js'
import { UsageErrorCode } from './errors.js'
import { readTotals, type Db } from './ledger-store.js'
import type { Lineage } from './lineage.js'
import { formatUsd } from './money.js'
import { lookupPrice, ratesFor } from './pricing.js'
import type { UsageAmounts } from './amounts.js'

export interface BudgetDeps {
  limits: { session: Limit | null; day: Limit | null }
  db(): Db
  lineageOf(sessionId: string): Promise<Lineage>
  pricing: Record<string, PriceSpec | null>
  kv(): Pick<KeyValue, 'get' | 'set'>
  clock: Pick<Clock, 'now'>
  logger: Logger
}

type Which = 'session' | 'day'
const KV_PREFIX = 'usage-metering:budget-allowed:'
const DAY_MS = 86_400_000

/** What the next call is expected to add: its prompt, counted by the tokenizer, at the input rate. */
export function estimateCall(request: ModelRequest, pricing: Record<string, PriceSpec | null>): { tokens: number; pico: bigint } {
  const tokens = promptSegments(request).reduce((sum, s) => sum + s.weight, 0)
  const spec = lookupPrice(request.provider, request.model, pricing).spec
  return { tokens, pico: spec ? BigInt(tokens) * ratesFor(spec, tokens).rates.input : 0n }
}

function overBy(limit: Limit, spent: UsageAmounts, next: { tokens: number; pico: bigint }): string | null {
  const spentPico = BigInt(spent.costPico ?? '0')
  if (limit.pico !== null && spentPico + next.pico > limit.pico) {
    return `spent ${formatUsd(spentPico)} of ${formatUsd(limit.pico)}${spent.unpricedCalls ? ` (plus ${spent.unpricedCalls} calls of unknown price)` : ''}; this call adds about ${formatUsd(next.pico)}`
  }
  if (limit.tokens !== null && spent.tokens + next.tokens > limit.tokens) return `used ${spent.tokens} of ${limit.tokens} tokens; this call adds about ${next.tokens} prompt tokens`
  return null
}

/**
 * request.admit for budgets: a conversation call that would take the root session (with its
 * sub-agents) or the UTC day past its limit is answered with an askUser rejection; the kernel asks the
 * user. "always" is remembered for that session tree / that day (kv port: shared by server instances).
 * Side calls (title, compaction) are never held back.
 */
export function createBudgets(deps: BudgetDeps) {
  const allowedHere = new Set<string>()
  const allowKey = (which: Which, id: string) => `${KV_PREFIX}${which}:${id}`

  async function allowed(key: string): Promise<boolean> {
    if (allowedHere.has(key)) return true
    return (await deps.kv().get(key).catch(() => null)) === '1'
  }

  return async function admit(request: ModelRequest, turn: TurnContext): Promise<Rejection | undefined> {
    if (request.activity === 'compaction' || request.activity === 'title') return undefined
    const { session, day } = deps.limits
    if (!session && !day) return undefined
    const root = (await deps.lineageOf(turn.sessionId)).rootId
    const today = deps.clock.now().toISOString().slice(0, 10)
    const checks: Array<{ which: Which; id: string; limit: Limit }> = []
    if (session && !(await allowed(allowKey('session', root)))) checks.push({ which: 'session', id: root, limit: session })
    if (day && !(await allowed(allowKey('day', today)))) checks.push({ which: 'day', id: today, limit: day })
    if (checks.length === 0) return undefined
    const next = estimateCall(request, deps.pricing)
    const [trees, days] = await Promise.all([readTotals(deps.db(), 'tree', [root]), readTotals(deps.db(), 'day', [today])])
    const over = checks
      .map((c) => ({ ...c, why: overBy(c.limit, (c.which === 'session' ? trees.get(root) : days.get(today)) ?? zero(), next) }))
      .filter((c): c is typeof c & { why: string } => c.why !== null)
    if (over.length === 0) return undefined
    const first = over[0]
    const what = first.which === 'session' ? 'this session\'s budget (with its sub-agents)' : `the budget of ${today} (UTC)`
    return {
      code: first.which === 'session' ? UsageErrorCode.BUDGET_SESSION : UsageErrorCode.BUDGET_DAY,
      message: `This model call would pass ${what}: ${first.why}. Continue? ("always" stops asking for this ${first.which === 'session' ? 'session' : 'day'}; the limit is plugins.usage-metering.budgets.${first.which} in the config file.)`,
      askUser: true,
      onAllowed(reply) {
        if (reply !== 'always') return
        for (const c of over) {
          const key = allowKey(c.which, c.id)
          allowedHere.add(key)
          // A day's answer expires with the day; a session's stays for as long as the kv keeps it.
          void deps.kv().set(key, '1', c.which === 'day' ? { ttlMs: 2 * DAY_MS } : {}).catch((error: unknown) => deps.logger.warn('could not store a budget answer', { error: String(error) }))
        }
      },
    }
  }
}

const zero = (): UsageAmounts => ({ calls: 0, unpricedCalls: 0, input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0, tokens: 0, costPico: null })
