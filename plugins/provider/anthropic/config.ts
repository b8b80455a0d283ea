import { z } from 'zod'

/** llxprt's retry defaults (RetryOrchestrator): 6 attempts, 5 s doubling to 30 s, ±30 %, Retry-After up to 300 s. */
export const DEFAULT_RETRY = { attempts: 6, initialDelayMs: 5_000, maxDelayMs: 30_000, jitter: 0.3, maxRetryAfterMs: 300_000 }

const retrySchema = z
  .object({
    /** Total attempts per model call, the first included. */
    attempts: z.number().int().min(1).max(20).default(DEFAULT_RETRY.attempts),
    initialDelayMs: z.number().int().min(0).default(DEFAULT_RETRY.initialDelayMs),
    maxDelayMs: z.number().int().min(0).default(DEFAULT_RETRY.maxDelayMs),
    jitter: z.number().min(0).max(1).default(DEFAULT_RETRY.jitter),
    maxRetryAfterMs: z.number().int().min(0).default(DEFAULT_RETRY.maxRetryAfterMs),
  })
  .strict()

const thinkingSchema = z
  .object({
    /** Ask Claude models to think (llxprt's alias default: on). */
    enabled: z.boolean().default(true),
    /** `auto`: adaptive on models that support it, else a token budget; `adaptive` / `budget` force one. */
    mode: z.enum(['auto', 'adaptive', 'budget']).default('auto'),
    /** `output_config.effort`; unset = llxprt's per-model default (`high` on the newest models). */
    effort: z.enum(['low', 'medium', 'high', 'max']).optional(),
    /** `budget_tokens` for budgeted thinking (llxprt's legacy default 10000). */
    budgetTokens: z.number().int().min(1024).default(10_000),
    /** Whether adaptive thinking returns summarised text (`summarized`) or none (`omitted`). */
    display: z.enum(['summarized', 'omitted']).default('summarized'),
  })
  .strict()

const throttleSchema = z
  .object({
    /** Wait before a call when a rate-limit bucket is nearly empty (llxprt `rate-limit-throttle`). */
    enabled: z.boolean().default(true),
    /** Percent of a bucket left below which the next call waits for its reset. */
    thresholdPercent: z.number().min(0).max(100).default(5),
    /** Longest such wait (llxprt `rate-limit-max-wait`). */
    maxWaitMs: z.number().int().min(0).default(60_000),
  })
  .strict()

const modelSchema = z
  .object({
    id: z.string().min(1),
    displayName: z.string().min(1).optional(),
    contextWindow: z.number().int().positive().optional(),
  })
  .strict()

export const configSchema = z
  .object({
    /** API base URL; unset = `ANTHROPIC_BASE_URL`, else https://api.anthropic.com. */
    baseUrl: z.string().url().optional(),
    /** Prompt caching TTL, or off. Markers and the extended-TTL beta go only to anthropic.com hosts. */
    promptCaching: z.enum(['1h', '5m', 'off']).default('1h'),
    /** `max_tokens` for every call; unset = the per-model table. */
    maxTokens: z.number().int().positive().optional(),
    thinking: thinkingSchema.default(thinkingSchema.parse({})),
    /** Longest silence while streaming before the call ends with PROVIDER_ANTHROPIC_STREAM_IDLE. */
    idleTimeoutMs: z.number().int().min(10).default(60_000),
    retry: retrySchema.default(DEFAULT_RETRY),
    rateLimitThrottle: throttleSchema.default(throttleSchema.parse({})),
    /** Models offered; unset = the built-in list. */
    models: z.array(modelSchema).min(1).optional(),
    /** Refresh the model list from GET /v1/models?beta=true at warmup when a credential exists. */
    refreshModels: z.boolean().default(true),
    /** Accept model ids missing from the list (new releases, proxies). */
    acceptUnknownModels: z.boolean().default(false),
  })
  .strict()

export type AnthropicOptions = z.output<typeof configSchema>
export type ThinkingOptions = AnthropicOptions['thinking']
