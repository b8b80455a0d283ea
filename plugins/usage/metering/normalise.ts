import type { UsageReport } from '../../../kernel/index.js'

/** One call's tokens as metered: whole non-negative numbers, every kind present. */
export interface MeteredUsage {
  /** Uncached prompt tokens (cache reads and writes excluded). */
  input: number
  /** Output tokens, reasoning included. */
  output: number
  /** The reasoning part of `output` (informational unless reasoning is priced apart). */
  reasoning: number
  cacheRead: number
  /** Tokens written to a cache; `cacheWrite1h` is the part written with a 1-hour lifetime (Anthropic). */
  cacheWrite: number
  cacheWrite1h: number
  /** The provider's own numbers, as reported. */
  raw: unknown
}

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0)
const record = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {})

/**
 * The providers already normalise (`input` excludes cache reads and writes, `output` includes
 * reasoning; see each provider's usage.ts). Two facts only the raw numbers carry are read here:
 * - Gemini's `toolUsePromptTokenCount` (prompt tokens of built-in tool results, billed as input) is
 *   outside `promptTokenCount`, and provider-gemini leaves it out of `input`: added when missing.
 * - Anthropic's `cache_creation.ephemeral_1h_input_tokens`: the 1-hour cache writes, priced higher.
 */
export function normaliseUsage(usage: UsageReport): MeteredUsage {
  const raw = record(usage.raw)
  let input = count(usage.input)
  const output = count(usage.output)
  const cacheRead = count(usage.cacheRead)
  const cacheWrite = count(usage.cacheWrite)
  const toolUsePrompt = count(raw.toolUsePromptTokenCount)
  if (toolUsePrompt > 0 && 'promptTokenCount' in raw && input === Math.max(0, count(raw.promptTokenCount) - count(raw.cachedContentTokenCount))) input += toolUsePrompt
  const cacheWrite1h = Math.min(cacheWrite, count(record(raw.cache_creation).ephemeral_1h_input_tokens))
  return { input, output, reasoning: Math.min(output, count(usage.reasoning)), cacheRead, cacheWrite, cacheWrite1h, raw: usage.raw ?? null }
}
