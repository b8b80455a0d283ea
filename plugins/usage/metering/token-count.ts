import { countTokens } from 'gpt-tokenizer/encoding/o200k_base'

/**
 * Token counts of prompt parts, for attribution only (the call's totals come from the provider).
 * One tokenizer for every provider: OpenAI's o200k_base (gpt-tokenizer). Other providers tokenize
 * differently, but attribution needs the parts' proportions, which a BPE tokenizer of the same
 * text family tracks closely. Counts are memoized: a conversation resends the same parts each step.
 */
const MAX_ENTRIES = 4096
const memo = new Map<string, number>()

export function tokenCount(text: string): number {
  if (text.length === 0) return 0
  const known = memo.get(text)
  if (known !== undefined) {
    // Refresh its place: the Map keeps insertion order, the oldest key is evicted first.
    memo.delete(text)
    memo.set(text, known)
    return known
  }
  const counted = countTokens(text)
  memo.set(text, counted)
  if (memo.size > MAX_ENTRIES) memo.delete(memo.keys().next().value as string)
  return counted
}
