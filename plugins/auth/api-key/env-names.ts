import type { ProviderDefinition } from '../../../kernel/index.js'

/**
 * Environment variables read per provider id, in order (the first set one wins), as llxprt reads
 * them (spec §12.1 step 4, §8.1, §11). Gemini: llxprt tries GEMINI_API_KEY then GOOGLE_API_KEY;
 * gemini-cli's API-key mode reads only GEMINI_API_KEY (GOOGLE_API_KEY is its Vertex express key);
 * the @google/genai SDK alone would prefer GOOGLE_API_KEY. We follow llxprt. `codex` has none: it
 * is OAuth only.
 */
export const DEFAULT_ENV_NAMES: Readonly<Record<string, readonly string[]>> = {
  anthropic: ['ANTHROPIC_API_KEY'],
  openai: ['OPENAI_API_KEY'],
  'openai-responses': ['OPENAI_API_KEY'],
  gemini: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
  // OpenAI-compatible endpoints with llxprt alias defaults (`apiKeyEnv`).
  qwen: ['DASHSCOPE_API_KEY'],
  deepseek: ['DEEPSEEK_API_KEY'],
  openrouter: ['OPENROUTER_API_KEY'],
}

/** A provider definition that names its own key variables (e.g. an OpenAI-compatible entry's `apiKeyEnv`). */
type WithApiKeyEnv = ProviderDefinition & { apiKeyEnv?: unknown }

function declaredBy(provider: ProviderDefinition | undefined): string[] | undefined {
  const declared = (provider as WithApiKeyEnv | undefined)?.apiKeyEnv
  if (typeof declared === 'string' && declared) return [declared]
  if (Array.isArray(declared) && declared.every((name) => typeof name === 'string')) return declared as string[]
  return undefined
}

/** The variable names for a provider: the `env` option, else the provider's `apiKeyEnv`, else the built-in table. */
export function envNamesFor(providerId: string, overrides: Record<string, string[]>, provider?: ProviderDefinition): string[] {
  return [...(overrides[providerId] ?? declaredBy(provider) ?? DEFAULT_ENV_NAMES[providerId] ?? [])]
}

/** llxprt's rule for a key value: trimmed; empty or `none` (any case) counts as unset. */
export function usableKey(value: string | undefined): string | null {
  const trimmed = value?.trim() ?? ''
  return trimmed === '' || trimmed.toLowerCase() === 'none' ? null : trimmed
}
