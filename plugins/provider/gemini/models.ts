import type { ModelInfo } from '../../../kernel/index.js'

const MILLION = 1_048_576

/** The concrete, visible models of gemini-cli 0.61.0's model definitions (config/defaultModelConfigs). */
export const GEMINI_MODELS: ModelInfo[] = [
  { id: 'gemini-2.5-pro', displayName: 'Gemini 2.5 Pro', contextWindow: MILLION },
  { id: 'gemini-2.5-flash', displayName: 'Gemini 2.5 Flash', contextWindow: MILLION },
  { id: 'gemini-2.5-flash-lite', displayName: 'Gemini 2.5 Flash-Lite', contextWindow: MILLION },
  { id: 'gemini-3-pro-preview', displayName: 'Gemini 3 Pro (preview)', contextWindow: MILLION },
  { id: 'gemini-3-flash-preview', displayName: 'Gemini 3 Flash (preview)', contextWindow: MILLION },
  { id: 'gemini-3.1-pro-preview', displayName: 'Gemini 3.1 Pro (preview)', contextWindow: MILLION },
  { id: 'gemini-3.1-flash-lite', displayName: 'Gemini 3.1 Flash-Lite', contextWindow: MILLION },
  { id: 'gemini-3.5-flash', displayName: 'Gemini 3.5 Flash', contextWindow: MILLION },
  { id: 'gemini-3.5-flash-lite', displayName: 'Gemini 3.5 Flash-Lite', contextWindow: MILLION },
  { id: 'gemini-3.8-flash', displayName: 'Gemini 3.8 Flash', contextWindow: MILLION },
  { id: 'gemma-4-31b-it', displayName: 'Gemma 4 31B', contextWindow: 256_000 },
  { id: 'gemma-4-26b-a4b-it', displayName: 'Gemma 4 26B A4B', contextWindow: 256_000 },
]

/** Aliases that extend gemini-cli's `chat-base-2.5` (thinkingBudget 8192). */
const CHAT_BASE_25 = new Set(['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite'])

/** Aliases that extend `chat-base-3` (thinkingLevel HIGH). */
const CHAT_BASE_3 = new Set([
  'gemini-3-pro-preview', 'gemini-3-flash-preview', 'gemini-3.1-pro-preview', 'gemini-3.1-pro-preview-customtools',
  'gemini-3.1-flash-lite-preview', 'gemini-3.1-flash-lite', 'gemini-3.5-flash-lite', 'gemini-3.5-flash', 'gemini-3.8-flash',
  'gemma-4-31b-it', 'gemma-4-26b-a4b-it',
])

/**
 * The generation config gemini-cli sends for a chat turn with this model: `chat-base` (temperature 1,
 * topP 0.95, topK 64, includeThoughts) plus the family's thinking setting; an unknown model gets
 * `chat-base` alone, as gemini-cli's fallback for chat models does.
 */
export function generationDefaults(model: string): Record<string, unknown> {
  const thinkingConfig: Record<string, unknown> = { includeThoughts: true }
  if (CHAT_BASE_25.has(model)) thinkingConfig.thinkingBudget = 8192
  else if (CHAT_BASE_3.has(model)) thinkingConfig.thinkingLevel = 'HIGH'
  return { temperature: 1, topP: 0.95, topK: 64, thinkingConfig }
}

/**
 * Whether gemini-cli gives the first function call of each model turn in the active loop a synthetic
 * thought signature: Gemini 3 and 2 families, and non-`gemini-` (custom) models.
 */
export function wantsSyntheticSignatures(model: string): boolean {
  return /^gemini-3(\.|-|$)/.test(model) || /^gemini-2(\.|$)/.test(model) || !model.startsWith('gemini-')
}

/** The model id the Code Assist backend receives (gemini-cli's backend model mapping). */
export function codeAssistModel(model: string, mappings: Record<string, string>): string {
  const bare = model.startsWith('models/') ? model.slice('models/'.length) : model
  const mapped = mappings[bare]
  if (!mapped) return model
  return model.startsWith('models/') ? `models/${mapped}` : mapped
}

/** Deep merge of plain objects (later wins), as gemini-cli merges model configs. */
export function deepMerge(...objects: Array<Record<string, unknown> | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const object of objects) {
    if (!object) continue
    for (const [key, value] of Object.entries(object)) {
      const current = out[key]
      out[key] = isPlain(current) && isPlain(value) ? deepMerge(current, value) : value
    }
  }
  return out
}

function isPlain(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
