import { CATALOGUE, SUBSCRIPTION_PROVIDERS, type PriceSpec, type Rates } from './catalogue.data.js'
import { usdPerMillionToPicoPerToken } from './money.js'
import type { MeteredUsage } from './normalise.js'

/** Rates of one call in pico-USD per token, every kind filled in. */
export interface ResolvedRates {
  input: bigint
  output: bigint
  cacheRead: bigint
  cacheWrite: bigint
  cacheWrite1h: bigint
  reasoning: bigint
}

export type PriceSource = 'config' | 'catalogue'

export interface PriceLookup {
  spec: PriceSpec | null
  /** Where the price came from; null when neither the config nor the catalogue knows the model. */
  source: PriceSource | null
  /** The key that matched (`provider/model`, `model` or the model without its snapshot date). */
  key: string | null
}

/** Keys tried for a model, most specific first. */
export function lookupKeys(provider: string, model: string): string[] {
  const bare = model.startsWith('models/') ? model.slice('models/'.length) : model
  const undated = bare.replace(/-(?:\d{8}|latest)$/, '')
  return [...new Set([`${provider}/${bare}`, bare, undated])]
}

/** Config overrides first (a null override = priced as unknown), then subscription providers, then the catalogue. */
export function lookupPrice(provider: string, model: string, overrides: Record<string, PriceSpec | null>, catalogue: Record<string, PriceSpec | null> = CATALOGUE): PriceLookup {
  const keys = lookupKeys(provider, model)
  for (const key of keys) if (key in overrides) return { spec: overrides[key], source: 'config', key }
  if (SUBSCRIPTION_PROVIDERS.includes(provider)) return { spec: null, source: null, key: null }
  for (const key of keys) if (key in catalogue) return { spec: catalogue[key], source: 'catalogue', key }
  return { spec: null, source: null, key: null }
}

function rate(value: string | undefined, fallback: bigint): bigint {
  if (value === undefined) return fallback
  const parsed = usdPerMillionToPicoPerToken(value)
  // Specs are validated at boot (config) or by the catalogue test; a bad one here is a programming error.
  if (parsed === null) throw new Error(`invalid price "${value}"`)
  return parsed
}

/**
 * The rates a call pays: the highest tier whose threshold its prompt (input + cache read + cache
 * write) is above, over the base rates. Missing kinds: cache read and write at the input rate, the
 * 1-hour write at the 5-minute write rate, reasoning at the output rate.
 */
export function ratesFor(spec: PriceSpec, promptTokens: number): { rates: ResolvedRates; tier: number | null } {
  let chosen: Partial<Rates> = {}
  let tier: number | null = null
  for (const t of spec.tiers ?? []) {
    if (promptTokens > t.above && (tier === null || t.above > tier)) {
      chosen = t
      tier = t.above
    }
  }
  const merged: Rates = { ...spec, ...Object.fromEntries(Object.entries(chosen).filter(([k, v]) => k !== 'above' && v !== undefined)) }
  const input = rate(merged.input, 0n)
  const output = rate(merged.output, 0n)
  const cacheWrite = rate(merged.cacheWrite, input)
  return {
    rates: { input, output, cacheRead: rate(merged.cacheRead, input), cacheWrite, cacheWrite1h: rate(merged.cacheWrite1h, cacheWrite), reasoning: rate(merged.reasoning, output) },
    tier,
  }
}

/** Cost of each token kind of a call, in pico-USD. */
export interface CallCost {
  input: bigint
  cacheRead: bigint
  cacheWrite: bigint
  output: bigint
  total: bigint
  rates: ResolvedRates
  tier: number | null
}

export const promptTokensOf = (u: MeteredUsage): number => u.input + u.cacheRead + u.cacheWrite

/** Price one call; null when the spec is null (unknown price). */
export function priceCall(spec: PriceSpec | null, usage: MeteredUsage): CallCost | null {
  if (!spec) return null
  const { rates, tier } = ratesFor(spec, promptTokensOf(usage))
  const n = (value: number) => BigInt(value)
  const input = n(usage.input) * rates.input
  const cacheRead = n(usage.cacheRead) * rates.cacheRead
  const cacheWrite = n(usage.cacheWrite - usage.cacheWrite1h) * rates.cacheWrite + n(usage.cacheWrite1h) * rates.cacheWrite1h
  const output = n(usage.output - usage.reasoning) * rates.output + n(usage.reasoning) * rates.reasoning
  return { input, cacheRead, cacheWrite, output, total: input + cacheRead + cacheWrite + output, rates, tier }
}

/** Every rate of a spec parses; returns the first bad one as `path: value`, or null. */
export function invalidRate(spec: PriceSpec): string | null {
  const check = (path: string, rates: Partial<Rates>) => {
    for (const [kind, value] of Object.entries(rates)) {
      if (kind === 'above' || kind === 'tiers' || value === undefined) continue
      if (typeof value !== 'string' || usdPerMillionToPicoPerToken(value) === null) return `${path}${kind}: ${JSON.stringify(value)}`
    }
    return null
  }
  return check('', spec) ?? (spec.tiers ?? []).map((t, i) => check(`tiers.${i}.`, t)).find((p) => p !== null) ?? null
}
