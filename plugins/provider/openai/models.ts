import type { ModelInfo } from '../../../kernel/index.js'
import type { OpenaiProviderId } from './config.js'

const GPT_56_TIERS: ModelInfo[] = [
  { id: 'gpt-5.6', displayName: 'GPT-5.6' },
  { id: 'gpt-5.6-sol', displayName: 'GPT-5.6 Sol' },
  { id: 'gpt-5.6-terra', displayName: 'GPT-5.6 Terra' },
  { id: 'gpt-5.6-luna', displayName: 'GPT-5.6 Luna' },
]

/** Models known without a network call (llxprt's fallback and Responses lists, plus the current OpenAI line-up). */
const OPENAI_MODELS: ModelInfo[] = [
  ...GPT_56_TIERS,
  { id: 'gpt-5.5', displayName: 'GPT-5.5' },
  { id: 'gpt-5.4', displayName: 'GPT-5.4' },
  { id: 'gpt-5.4-mini', displayName: 'GPT-5.4 mini' },
  { id: 'gpt-5', displayName: 'GPT-5', contextWindow: 400_000 },
  { id: 'gpt-5-mini', displayName: 'GPT-5 mini', contextWindow: 400_000 },
  { id: 'gpt-5-nano', displayName: 'GPT-5 nano', contextWindow: 400_000 },
  { id: 'gpt-4.1', displayName: 'GPT-4.1', contextWindow: 1_047_576 },
  { id: 'gpt-4.1-mini', displayName: 'GPT-4.1 mini', contextWindow: 1_047_576 },
  { id: 'gpt-4.1-nano', displayName: 'GPT-4.1 nano', contextWindow: 1_047_576 },
  { id: 'gpt-4o', displayName: 'GPT-4o', contextWindow: 128_000 },
  { id: 'gpt-4o-mini', displayName: 'GPT-4o mini', contextWindow: 128_000 },
  { id: 'o4-mini', displayName: 'o4-mini', contextWindow: 200_000 },
  { id: 'o3', displayName: 'o3', contextWindow: 200_000 },
  { id: 'o3-pro', displayName: 'o3-pro', contextWindow: 200_000 },
  { id: 'o3-mini', displayName: 'o3-mini', contextWindow: 200_000 },
  { id: 'o1', displayName: 'o1', contextWindow: 200_000 },
]

/** llxprt's `codex` alias static list. */
const CODEX_MODELS: ModelInfo[] = [
  { id: 'gpt-5.6-sol', displayName: 'GPT-5.6 Sol', contextWindow: 262_144 },
  { id: 'gpt-5.6-terra', displayName: 'GPT-5.6 Terra', contextWindow: 262_144 },
  { id: 'gpt-5.6-luna', displayName: 'GPT-5.6 Luna', contextWindow: 262_144 },
  { id: 'gpt-5.5', displayName: 'gpt-5.5' },
  { id: 'gpt-5.4', displayName: 'gpt-5.4' },
  { id: 'gpt-5.4-mini', displayName: 'gpt-5.4-mini' },
  { id: 'gpt-5.3-codex-spark', displayName: 'gpt-5.3-codex-spark', contextWindow: 131_072 },
]

export function staticModels(provider: OpenaiProviderId, override?: string[]): ModelInfo[] {
  if (override) return override.map((id) => ({ id }))
  return provider === 'codex' ? CODEX_MODELS : OPENAI_MODELS
}

function plausibleDate(year: string, month: string, day: string): boolean {
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)))
  return date.getUTCFullYear() === Number(year) && date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day)
}

/**
 * Whether a model exists only on the Responses API (llxprt `openaiModelPolicy`): `gpt-X.Y` with
 * X.Y >= 5.6, optionally a `-sol|-terra|-luna` tier, then nothing, `-latest` or a date snapshot.
 */
export function requiresResponses(model: string): boolean {
  const match = /^gpt-([1-9]\d*)\.(0|[1-9]\d*)(?:-(?:sol|terra|luna))?(-latest|-(\d{4})(\d{2})(\d{2})|-(\d{4})-(\d{2})-(\d{2}))?$/.exec(model)
  if (!match) return false
  const [major, minor] = [Number(match[1]), Number(match[2])]
  if (major < 5 || (major === 5 && minor < 6)) return false
  if (match[4]) return plausibleDate(match[4], match[5], match[6])
  if (match[7]) return plausibleDate(match[7], match[8], match[9])
  return true
}

/** `https://api.openai.com` (default port, any path): the only host where `openai` switches GPT-5.6+ to Responses. */
export function isCanonicalOpenAI(baseUrl: string): boolean {
  try {
    const url = new URL(baseUrl)
    return url.protocol === 'https:' && url.hostname === 'api.openai.com' && (url.port === '' || url.port === '443')
  } catch {
    return false
  }
}

/**
 * Which API the `openai` provider uses for a model (llxprt `resolveOpenAITransport`): GPT-5.6+ on
 * api.openai.com always go to Responses; otherwise `apiMode: 'responses'` opts in, anything else is Chat.
 */
export function openaiRoute(model: string, baseUrl: string, apiMode: 'auto' | 'chat' | 'responses'): 'chat' | 'responses' {
  if (isCanonicalOpenAI(baseUrl) && requiresResponses(model)) return 'responses'
  return apiMode === 'responses' ? 'responses' : 'chat'
}

/** llxprt `openai` alias model defaults for the `gpt-5.6` pattern: reasoning effort high, 128000 output tokens. */
export function openaiModelDefaults(model: string): { reasoningEffort?: 'high'; maxTokens?: number } {
  return model.includes('gpt-5.6') ? { reasoningEffort: 'high', maxTokens: 128_000 } : {}
}

/** The lowest effort is called `none` on the wire for GPT-5.6+ (llxprt `toOpenAIResponsesWireEffort`). */
export function wireEffort(effort: string, model: string): string {
  return effort === 'minimal' && requiresResponses(model) ? 'none' : effort
}
