import type { UsageReport } from '../../../kernel/index.js'

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0)

/**
 * The Messages API's usage (from `message_start`, updated by `message_delta`) in the kernel's terms.
 * Anthropic's `input_tokens` already excludes cache reads and writes, so it is `input` as is; there
 * is no separate reasoning count (thinking is part of `output_tokens`). `raw` keeps every field.
 */
export function toUsageReport(raw: Record<string, unknown>): UsageReport {
  return {
    input: count(raw.input_tokens),
    output: count(raw.output_tokens),
    cacheRead: count(raw.cache_read_input_tokens),
    cacheWrite: count(raw.cache_creation_input_tokens),
    raw: { ...raw },
  }
}
