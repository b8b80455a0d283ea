import type { UsageReport } from '../../../kernel/index.js'

/** Gemini's usageMetadata (the fields this provider reads; others are kept in `raw`). */
export interface UsageMetadata {
  promptTokenCount?: number
  cachedContentTokenCount?: number
  candidatesTokenCount?: number
  thoughtsTokenCount?: number
  toolUsePromptTokenCount?: number
  totalTokenCount?: number
  [key: string]: unknown
}

/**
 * Normalised usage: promptTokenCount includes the cached tokens, so input = prompt - cached and
 * cacheRead = cached; output = candidates + thoughts (thoughts are billed as output), reasoning = thoughts.
 */
export function toUsage(metadata: UsageMetadata): UsageReport {
  const prompt = metadata.promptTokenCount ?? 0
  const cached = metadata.cachedContentTokenCount ?? 0
  const thoughts = metadata.thoughtsTokenCount ?? 0
  return {
    input: Math.max(0, prompt - cached),
    output: (metadata.candidatesTokenCount ?? 0) + thoughts,
    reasoning: thoughts,
    cacheRead: cached,
    raw: { ...metadata },
  }
}
