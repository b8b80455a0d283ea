import { z } from 'zod'
import { invalidRate } from './pricing.js'
import type { PriceSpec } from './catalogue.data.js'
import { usdToPico } from './money.js'

const usdPerMillion = z.string().regex(/^\d+(\.\d{1,6})?$/, 'a price in USD per million tokens, as a decimal string with at most 6 decimals, e.g. "3.75"')
const rates = {
  input: usdPerMillion,
  output: usdPerMillion,
  cacheRead: usdPerMillion.optional(),
  cacheWrite: usdPerMillion.optional(),
  cacheWrite1h: usdPerMillion.optional(),
  reasoning: usdPerMillion.optional(),
}
const tier = z.object({ above: z.number().int().min(1), ...Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, v.optional()])) }).strict()
export const priceSpecSchema = z
  .object({ ...rates, tiers: z.array(tier).max(16).optional() })
  .strict()
  .refine((spec) => invalidRate(spec as PriceSpec) === null, { message: 'every rate must be a decimal string' })

/** A limit in pico-USD (an integer, or an integer string for amounts past 2^53), in USD (decimal string), or in tokens. */
const limitSchema = z
  .object({
    picoUsd: z.union([z.number().int().min(1), z.string().regex(/^[1-9]\d*$/, 'a whole number of pico-USD, e.g. "5000000000000" for 5 USD')]).optional(),
    usd: z.string().regex(/^\d+(\.\d{1,12})?$/, 'a decimal amount of USD, e.g. "5.00"').optional(),
    tokens: z.number().int().min(1).optional(),
  })
  .strict()
  .refine((l) => (l.picoUsd === undefined) !== (l.usd === undefined) || l.picoUsd === undefined, { message: 'give picoUsd or usd, not both' })
  .refine((l) => l.picoUsd !== undefined || l.usd !== undefined || l.tokens !== undefined, { message: 'give picoUsd, usd or tokens' })

export const configSchema = z
  .object({
    /**
     * Prices by `provider/model` or `model` (USD per million tokens), over the shipped catalogue; `null`
     * marks a model as unpriced (its calls cost null).
     */
    pricing: z.record(z.string().min(1), priceSpecSchema.nullable()).default({}),
    budgets: z
      .object({
        /** Per root session: the session and all its sub-agent sessions together. */
        session: limitSchema.optional(),
        /** Per UTC day, across every session of this database. */
        day: limitSchema.optional(),
      })
      .strict()
      .default({}),
  })
  .strict()

export type UsageMeteringOptions = z.output<typeof configSchema>

/** A budget limit in the units the checks use. */
export interface Limit {
  pico: bigint | null
  tokens: number | null
}

export function toLimit(limit: z.output<typeof limitSchema> | undefined): Limit | null {
  if (!limit) return null
  const pico = limit.picoUsd !== undefined ? BigInt(limit.picoUsd) : limit.usd !== undefined ? usdToPico(limit.usd) : null
  return { pico, tokens: limit.tokens ?? null }
}
