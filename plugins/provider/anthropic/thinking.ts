import type { ThinkingOptions } from './config.js'
import { defaultEffort, isAdaptiveOnly, supportsAdaptiveThinking, supportsDisabledThinking, thinkingByDefault } from './models.js'

export interface ThinkingParams {
  thinking?: Record<string, unknown> & { type: string }
  output_config?: { effort: string }
}

/**
 * `thinking` and `output_config` as llxprt's Anthropic alias sends them: Claude models think by
 * default; adaptive-capable models get `{type: 'adaptive', display}` (+ effort), the others a token
 * budget (10000 unless configured). Other model ids (Anthropic-compatible proxies) get neither.
 */
export function thinkingParams(model: string, options: ThinkingOptions): ThinkingParams {
  if (!thinkingByDefault(model)) return {}
  if (!options.enabled && !isAdaptiveOnly(model)) return supportsDisabledThinking(model) ? { thinking: { type: 'disabled' } } : {}
  const adaptive = isAdaptiveOnly(model) || options.mode === 'adaptive' || (options.mode === 'auto' && supportsAdaptiveThinking(model))
  let effort: string | undefined = options.effort ?? defaultEffort(model)
  // `max` exists only on adaptive-capable models; llxprt lowers it to `high` elsewhere.
  if (effort === 'max' && !supportsAdaptiveThinking(model)) effort = 'high'
  const outputConfig = effort ? { output_config: { effort } } : {}
  if (adaptive) return { thinking: { type: 'adaptive', display: options.display }, ...outputConfig }
  const display = options.display === 'omitted' ? { display: 'omitted' } : {}
  return { thinking: { type: 'enabled', budget_tokens: options.budgetTokens, ...display }, ...outputConfig }
}

/** Whether a request asks the model to think (then a history may not end with an assistant message). */
export function thinks(params: ThinkingParams): boolean {
  return params.thinking !== undefined && params.thinking.type !== 'disabled'
}
