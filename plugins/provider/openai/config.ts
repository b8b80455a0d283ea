import { z } from 'zod'

/** The provider ids this plugin can register. */
export const PROVIDER_IDS = ['openai', 'openai-responses', 'codex'] as const
export type OpenaiProviderId = (typeof PROVIDER_IDS)[number]

export const reasoningEffortSchema = z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh'])
export const reasoningSummarySchema = z.enum(['auto', 'concise', 'detailed', 'none'])

const headersSchema = z.record(z.string().min(1), z.string()).default({})
const modelsSchema = z.array(z.string().min(1)).min(1).optional()

/** Retry pacing (llxprt: 6 attempts, 5 s growing to 30 s, ±30 %, Retry-After honoured up to 300 s). */
export const retrySchema = z
  .object({
    attempts: z.number().int().min(1).max(20).default(6),
    initialDelayMs: z.number().int().min(0).default(5_000),
    maxDelayMs: z.number().int().min(0).default(30_000),
    jitter: z.number().min(0).max(1).default(0.3),
    maxRetryAfterMs: z.number().int().min(0).default(300_000),
  })
  .strict()
  .default({ attempts: 6, initialDelayMs: 5_000, maxDelayMs: 30_000, jitter: 0.3, maxRetryAfterMs: 300_000 })
export type RetryOptions = z.output<typeof retrySchema>

/** `openai`: Chat Completions through the openai SDK (GPT-5.6+ on api.openai.com go to the Responses API). */
const openaiSchema = z
  .object({
    /** Else OPENAI_BASE_URL, else https://api.openai.com/v1. */
    baseUrl: z.string().url().optional(),
    headers: headersSchema,
    /** `chat` keeps Chat Completions except for GPT-5.6+ on api.openai.com (which require Responses). */
    apiMode: z.enum(['auto', 'chat', 'responses']).default('auto'),
    /** Sent as `max_tokens` (Chat) / `max_output_tokens` (Responses) when set. */
    maxTokens: z.number().int().positive().optional(),
    reasoningEffort: reasoningEffortSchema.optional(),
    reasoningSummary: reasoningSummarySchema.optional(),
    models: modelsSchema,
  })
  .strict()
  .default({ headers: {}, apiMode: 'auto' })

/** `openai-responses`: the Responses API with an API key, over fetch. */
const responsesSchema = z
  .object({
    /** Else OPENAI_BASE_URL, else https://api.openai.com/v1. */
    baseUrl: z.string().url().optional(),
    headers: headersSchema,
    maxOutputTokens: z.number().int().positive().optional(),
    reasoningEffort: reasoningEffortSchema.optional(),
    reasoningSummary: reasoningSummarySchema.optional(),
    textVerbosity: z.enum(['low', 'medium', 'high']).optional(),
    /** `prompt_cache_key` (the session id) and `prompt_cache_retention: "24h"`. */
    promptCaching: z.boolean().default(true),
    models: modelsSchema,
  })
  .strict()
  .default({ headers: {}, promptCaching: true })

/** `codex`: the Responses API on the ChatGPT backend with the ChatGPT (OAuth) login. */
const codexSchema = z
  .object({
    baseUrl: z.string().url().default('https://chatgpt.com/backend-api/codex'),
    headers: headersSchema,
    reasoningEffort: reasoningEffortSchema.default('medium'),
    reasoningSummary: reasoningSummarySchema.default('auto'),
    textVerbosity: z.enum(['low', 'medium', 'high']).optional(),
    promptCaching: z.boolean().default(true),
    models: modelsSchema,
  })
  .strict()
  .default({ baseUrl: 'https://chatgpt.com/backend-api/codex', headers: {}, reasoningEffort: 'medium', reasoningSummary: 'auto', promptCaching: true })

export const configSchema = z
  .object({
    /** Which provider ids to register. */
    providers: z.array(z.enum(PROVIDER_IDS)).default([...PROVIDER_IDS]),
    openai: openaiSchema,
    responses: responsesSchema,
    codex: codexSchema,
    /** Whether a session may name a model that is not in the static list. */
    acceptUnknownModels: z.boolean().default(true),
    /** A stream that sends nothing for this long ends with PROVIDER_OPENAI_STREAM_IDLE. */
    idleTimeoutMs: z.number().int().positive().default(75_000),
    retry: retrySchema,
  })
  .strict()
export type OpenaiOptions = z.output<typeof configSchema>
