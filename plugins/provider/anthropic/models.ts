import type { ModelInfo } from '../../../kernel/index.js'

const OPUS_46_PLUS = /^claude-opus-(4-latest|5-latest|4-6|4-7|4-8|5)(-\d{8})?$/i
const SONNET_5 = /^claude-sonnet-5(-latest|-\d{8})?$/i
const FABLE_5 = /^claude-fable-5(-latest|-\d{8})?$/i
const OPUS_5 = /^claude-opus-5(-latest|-\d{8})?$/i

/**
 * Models offered without network access: llxprt's built-in Claude list (its `anthropic` defaults and
 * `claudecode` static models) plus the dated 4.x snapshots still served by the API.
 */
const STATIC_MODEL_IDS: Array<[id: string, name: string]> = [
  ['claude-opus-5', 'Claude Opus 5'],
  ['claude-fable-5', 'Claude Fable 5'],
  ['claude-opus-4-8', 'Claude Opus 4.8'],
  ['claude-opus-4-7', 'Claude Opus 4.7'],
  ['claude-opus-4-6', 'Claude Opus 4.6'],
  ['claude-opus-4-5-20251101', 'Claude Opus 4.5'],
  ['claude-opus-4-5', 'Claude Opus 4.5'],
  ['claude-opus-4-1-20250805', 'Claude Opus 4.1'],
  ['claude-opus-4-20250514', 'Claude Opus 4'],
  ['claude-sonnet-5', 'Claude Sonnet 5'],
  ['claude-sonnet-4-6', 'Claude Sonnet 4.6'],
  ['claude-sonnet-4-5-20250929', 'Claude Sonnet 4.5'],
  ['claude-sonnet-4-5', 'Claude Sonnet 4.5'],
  ['claude-sonnet-4-20250514', 'Claude Sonnet 4'],
  ['claude-sonnet-4', 'Claude Sonnet 4'],
  ['claude-haiku-4-5-20251001', 'Claude Haiku 4.5'],
  ['claude-haiku-4-5', 'Claude Haiku 4.5'],
  ['claude-3-7-sonnet-20250219', 'Claude Sonnet 3.7'],
  ['claude-3-5-haiku-20241022', 'Claude Haiku 3.5'],
]

export const STATIC_MODELS: ModelInfo[] = STATIC_MODEL_IDS.map(([id, displayName]) => ({ id, displayName, contextWindow: contextWindowFor(id) }))

/** Models that take `thinking: {type: 'adaptive'}` and `output_config.effort` (Opus 4.6+, Sonnet 5, Fable 5). */
export function supportsAdaptiveThinking(model: string): boolean {
  return OPUS_46_PLUS.test(model) || SONNET_5.test(model) || FABLE_5.test(model)
}

/** Fable 5 thinks adaptively only: no budget, never disabled. */
export function isAdaptiveOnly(model: string): boolean {
  return FABLE_5.test(model)
}

/** Models that accept `thinking: {type: 'disabled'}`. */
export function supportsDisabledThinking(model: string): boolean {
  return OPUS_5.test(model)
}

/** Claude families llxprt enables reasoning for by default (its alias `modelDefaults`). */
export function thinkingByDefault(model: string): boolean {
  return /claude-(opus|sonnet|haiku|fable)/.test(model)
}

/** llxprt's per-model default effort: `high` on the newest models, none elsewhere. */
export function defaultEffort(model: string): 'high' | undefined {
  return /claude-(opus-5|opus-4-8|fable-5|sonnet-4-6|sonnet-5)/.test(model) ? 'high' : undefined
}

const TOKEN_PATTERNS: Array<[parts: string[], tokens: number]> = [
  [['opus', '4'], 32_000],
  [['sonnet', '4'], 64_000],
  [['haiku', '4'], 64_000],
  [['3', '7', 'sonnet'], 64_000],
  [['3', '5', 'sonnet'], 8_192],
  [['3', '5', 'haiku'], 8_192],
  [['3', 'opus'], 4_096],
  [['3', 'haiku'], 4_096],
]

/** Default `max_tokens` per model (llxprt's AnthropicModelData table; Haiku 4 at its real 64K cap). */
export function maxTokensFor(model: string): number {
  if (model.includes('claude-opus-4') || OPUS_46_PLUS.test(model)) return 32_000
  if (model.includes('claude-sonnet-4')) return 64_000
  if (SONNET_5.test(model)) return 128_000
  if (FABLE_5.test(model)) return 40_000
  const bare = model.toLowerCase().replace(/-\d{8}$/, '')
  for (const [parts, tokens] of TOKEN_PATTERNS) if (parts.every((part) => bare.includes(part))) return tokens
  return 4_096
}

/** Context window per model (llxprt's subscription-tier defaults). */
export function contextWindowFor(model: string): number {
  if (OPUS_46_PLUS.test(model) || SONNET_5.test(model) || FABLE_5.test(model)) return 200_000
  if (model.includes('claude-opus-4')) return 500_000
  if (model.includes('claude-sonnet-4')) return 400_000
  if (model.includes('claude-haiku-4')) return 500_000
  if (model.includes('claude-3-7')) return 300_000
  return 200_000
}

/** Models from GET /v1/models?beta=true merged over a base list (new ids appended, names refreshed). */
export function mergeModels(base: ModelInfo[], fetched: Array<{ id: string; display_name?: string }>): ModelInfo[] {
  const out = new Map(base.map((m) => [m.id, m]))
  for (const model of fetched) {
    const known = out.get(model.id)
    out.set(model.id, { id: model.id, displayName: model.display_name || known?.displayName || model.id, contextWindow: known?.contextWindow ?? contextWindowFor(model.id) })
  }
  return [...out.values()]
}
