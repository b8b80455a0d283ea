/**
 * The pricing catalogue shipped with usage-metering: list prices in USD per million tokens, written
 * as decimal strings (parsed exactly into integer pico-USD per token, never through floats).
 *
 * - `input`: uncached prompt tokens; `output`: output tokens (reasoning included unless `reasoning` is
 *   priced apart); `cacheRead`: prompt tokens served from a cache; `cacheWrite`: tokens written to a
 *   cache (Anthropic's 5-minute write; `cacheWrite1h` for its 1-hour write).
 * - `tiers`: a higher price for the WHOLE call when its prompt (input + cache read + cache write) is
 *   above `above` tokens; a tier lists only the rates it changes. The highest matching tier applies.
 * - A model mapped to `null` is known to the providers but has no published per-token price this
 *   catalogue knows: its calls are priced as unknown (cost null), never as zero. Override it in config.
 * - Lookup: `provider/model` first, then `model`, then `model` without a `-YYYYMMDD` snapshot suffix.
 *
 * Sources: the providers' public price lists as of `AS_OF`. Prices change: override in the config file
 * (`plugins.usage-metering.pricing`) rather than trusting this file for billing.
 */
export interface Rates {
  input: string
  output: string
  cacheRead?: string
  cacheWrite?: string
  cacheWrite1h?: string
  reasoning?: string
}

export interface PriceSpec extends Rates {
  tiers?: Array<{ above: number } & Partial<Rates>>
}

export const AS_OF = '2026-03'

/** Providers whose calls are paid by subscription, not per token: unpriced unless the config prices them. */
export const SUBSCRIPTION_PROVIDERS = ['codex']

const claude = (input: string, output: string, cacheWrite: string, cacheWrite1h: string, cacheRead: string): PriceSpec => ({ input, output, cacheWrite, cacheWrite1h, cacheRead })
/** Sonnet 4 and 4.5: prompts above 200K tokens cost the long-context rates. */
const SONNET_4: PriceSpec = { ...claude('3', '15', '3.75', '6', '0.30'), tiers: [{ above: 200_000, input: '6', output: '22.50', cacheWrite: '7.50', cacheWrite1h: '12', cacheRead: '0.60' }] }
const OPUS_4: PriceSpec = claude('15', '75', '18.75', '30', '1.50')
const OPUS_45: PriceSpec = claude('5', '25', '6.25', '10', '0.50')

export const CATALOGUE: Record<string, PriceSpec | null> = {
  // Anthropic (provider-anthropic). Opus 4.6 and Sonnet 4.6 have no long-context surcharge.
  'claude-opus-4-6': OPUS_45,
  'claude-opus-4-5': OPUS_45,
  'claude-opus-4-1': OPUS_4,
  'claude-opus-4': OPUS_4,
  'claude-sonnet-4-6': claude('3', '15', '3.75', '6', '0.30'),
  'claude-sonnet-4-5': SONNET_4,
  'claude-sonnet-4': SONNET_4,
  'claude-haiku-4-5': claude('1', '5', '1.25', '2', '0.10'),
  'claude-3-7-sonnet': claude('3', '15', '3.75', '6', '0.30'),
  'claude-3-5-haiku': claude('0.80', '4', '1', '1.60', '0.08'),
  'claude-opus-5': null,
  'claude-fable-5': null,
  'claude-opus-4-8': null,
  'claude-opus-4-7': null,
  'claude-sonnet-5': null,

  // Google Gemini API (provider-gemini), paid tier. Pro models: prompts above 200K tokens cost more.
  'gemini-2.5-pro': { input: '1.25', output: '10', cacheRead: '0.125', tiers: [{ above: 200_000, input: '2.50', output: '15', cacheRead: '0.25' }] },
  'gemini-2.5-flash': { input: '0.30', output: '2.50', cacheRead: '0.03' },
  'gemini-2.5-flash-lite': { input: '0.10', output: '0.40', cacheRead: '0.01' },
  'gemini-3-pro-preview': { input: '2', output: '12', cacheRead: '0.20', tiers: [{ above: 200_000, input: '4', output: '18', cacheRead: '0.40' }] },
  'gemini-3-flash-preview': { input: '0.50', output: '3', cacheRead: '0.05' },
  'gemini-3.1-pro-preview': null,
  'gemini-3.1-flash-lite': null,
  'gemini-3.5-flash': null,
  'gemini-3.5-flash-lite': null,
  'gemini-3.8-flash': null,
  'gemma-4-31b-it': null,
  'gemma-4-26b-a4b-it': null,

  // OpenAI (provider-openai: openai, openai-responses). Cached input is the cache read rate.
  'gpt-5': { input: '1.25', output: '10', cacheRead: '0.125' },
  'gpt-5-mini': { input: '0.25', output: '2', cacheRead: '0.025' },
  'gpt-5-nano': { input: '0.05', output: '0.40', cacheRead: '0.005' },
  'gpt-4.1': { input: '2', output: '8', cacheRead: '0.50' },
  'gpt-4.1-mini': { input: '0.40', output: '1.60', cacheRead: '0.10' },
  'gpt-4.1-nano': { input: '0.10', output: '0.40', cacheRead: '0.025' },
  'gpt-4o': { input: '2.50', output: '10', cacheRead: '1.25' },
  'gpt-4o-mini': { input: '0.15', output: '0.60', cacheRead: '0.075' },
  'o4-mini': { input: '1.10', output: '4.40', cacheRead: '0.275' },
  o3: { input: '2', output: '8', cacheRead: '0.50' },
  'o3-pro': { input: '20', output: '80' },
  'o3-mini': { input: '1.10', output: '4.40', cacheRead: '0.55' },
  o1: { input: '15', output: '60', cacheRead: '7.50' },
  'gpt-5.6': null,
  'gpt-5.6-sol': null,
  'gpt-5.6-terra': null,
  'gpt-5.6-luna': null,
  'gpt-5.5': null,
  'gpt-5.4': null,
  'gpt-5.4-mini': null,
  'gpt-5.3-codex-spark': null,

  // Alibaba DashScope international (provider-openai-compatible `qwen`): tiered by prompt length.
  'qwen3-coder-plus': {
    input: '1',
    output: '5',
    tiers: [
      { above: 32_000, input: '1.80', output: '9' },
      { above: 128_000, input: '3', output: '15' },
      { above: 256_000, input: '6', output: '60' },
    ],
  },
}
