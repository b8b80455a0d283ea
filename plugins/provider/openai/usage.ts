import type { UsageReport } from '../../../kernel/index.js'

const num = (value: unknown): number => {
  const n = typeof value === 'string' ? Number(value) : value
  return typeof n === 'number' && Number.isFinite(n) ? n : 0
}

type Raw = Record<string, unknown>
const obj = (value: unknown): Raw => (typeof value === 'object' && value !== null ? (value as Raw) : {})

/**
 * Chat Completions usage -> normalised. `prompt_tokens` includes cached tokens, so input = prompt -
 * cache read - cache write. Cache read: `prompt_tokens_details.cached_tokens`, else
 * `cache_read_input_tokens`, else `prompt_cache_hit_tokens` (the fallbacks llxprt reads for
 * compatible servers); cache write: `cache_creation_input_tokens`; reasoning:
 * `completion_tokens_details.reasoning_tokens` (already inside `completion_tokens`).
 */
export function chatUsage(usage: unknown): UsageReport {
  const u = obj(usage)
  const cacheRead = num(obj(u.prompt_tokens_details).cached_tokens) || num(u.cache_read_input_tokens) || num(u.prompt_cache_hit_tokens)
  const cacheWrite = num(u.cache_creation_input_tokens)
  const reasoning = num(obj(u.completion_tokens_details).reasoning_tokens)
  return {
    input: Math.max(0, num(u.prompt_tokens) - cacheRead - cacheWrite),
    output: num(u.completion_tokens),
    ...(reasoning ? { reasoning } : {}),
    ...(cacheRead ? { cacheRead } : {}),
    ...(cacheWrite ? { cacheWrite } : {}),
    raw: usage,
  }
}

/**
 * Responses usage -> normalised. `input_tokens` includes `input_tokens_details.cached_tokens`;
 * `output_tokens` includes `output_tokens_details.reasoning_tokens`.
 */
export function responsesUsage(usage: unknown): UsageReport {
  const u = obj(usage)
  const cacheRead = num(obj(u.input_tokens_details).cached_tokens)
  const reasoning = num(obj(u.output_tokens_details).reasoning_tokens)
  return {
    input: Math.max(0, num(u.input_tokens) - cacheRead),
    output: num(u.output_tokens),
    ...(reasoning ? { reasoning } : {}),
    ...(cacheRead ? { cacheRead } : {}),
    raw: usage,
  }
}
