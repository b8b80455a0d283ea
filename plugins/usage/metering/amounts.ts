import type { protocol } from '../../../kernel/index.js'

export type UsageAmounts = protocol.UsageAmounts
export type UsageShare = protocol.UsageShare

/** The columns every amounts query returns (bigint and numeric come back from pg as strings). */
export interface AmountsRow {
  calls: string | number
  unpriced_calls: string | number
  input: string | number
  output: string | number
  reasoning: string | number
  cache_read: string | number
  cache_write: string | number
  cost_pico: string | null
}

/** Aggregate ledger rows (alias `l`) into AmountsRow columns. */
export const LEDGER_AMOUNTS =
  `count(*) as "calls", count(*) - count(l."cost_pico") as "unpriced_calls", coalesce(sum(l."input"), 0) as "input", ` +
  `coalesce(sum(l."output"), 0) as "output", coalesce(sum(l."reasoning"), 0) as "reasoning", coalesce(sum(l."cache_read"), 0) as "cache_read", ` +
  `coalesce(sum(l."cache_write"), 0) as "cache_write", sum(l."cost_pico")::text as "cost_pico"`

export const ZERO: UsageAmounts = { calls: 0, unpricedCalls: 0, input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0, tokens: 0, costPico: null }

/** Row -> API amounts; costPico is null when no call of the set was priced. */
export function toAmounts(row: AmountsRow | undefined): UsageAmounts {
  if (!row) return { ...ZERO }
  const calls = Number(row.calls)
  const unpricedCalls = Number(row.unpriced_calls)
  const [input, output, reasoning, cacheRead, cacheWrite] = [row.input, row.output, row.reasoning, row.cache_read, row.cache_write].map(Number)
  const priced = calls - unpricedCalls > 0
  return { calls, unpricedCalls, input, output, reasoning, cacheRead, cacheWrite, tokens: input + output + cacheRead + cacheWrite, costPico: priced && row.cost_pico !== null ? BigInt(row.cost_pico).toString() : null }
}

/** Shares: tokens and cost (null when none of the parts was priced). */
export function toShare(row: { tokens: string | number; cost_pico: string | null; priced: string | number }): UsageShare {
  return { tokens: Number(row.tokens), costPico: Number(row.priced) > 0 && row.cost_pico !== null ? BigInt(row.cost_pico).toString() : null }
}
