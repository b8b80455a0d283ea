import { z } from 'zod'
import { secretSchema } from '../../../kernel/index.js'

const modelSchema = z.union([
  z.string().min(1),
  z.object({ id: z.string().min(1), displayName: z.string().optional(), contextWindow: z.number().int().positive().optional() }).strict(),
])

/** One OpenAI-compatible endpoint: a provider id of its own, Chat Completions at `baseUrl`. */
export const endpointSchema = z
  .object({
    /** e.g. https://dashscope.aliyuncs.com/compatible-mode/v1 or http://127.0.0.1:11434/v1; requests go to {baseUrl}/chat/completions. */
    baseUrl: z.string().url(),
    displayName: z.string().min(1).optional(),
    /** Environment variable holding the key (registered as a credential source at ENV precedence). */
    apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
    /** The key itself, as env('NAME') in the config file (CONFIG precedence). */
    apiKey: secretSchema.optional(),
    /** Whether a call needs a key; default: true when apiKeyEnv or apiKey is given (local servers need none). */
    requiresAuth: z.boolean().optional(),
    models: z.array(modelSchema).default([]),
    /** Default: true when `models` is empty. */
    acceptUnknownModels: z.boolean().optional(),
    headers: z.record(z.string().min(1), z.string()).default({}),
    /** Sent as `max_tokens` when set. */
    maxTokens: z.number().int().positive().optional(),
    /** Sent as `reasoning_effort` when set. */
    reasoningEffort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).optional(),
  })
  .strict()
export type EndpointOptions = z.output<typeof endpointSchema>

export const ENDPOINT_ID = /^[a-z0-9][a-z0-9-]*$/

/** llxprt's `qwen` alias (§11): DashScope's OpenAI-compatible mode, key from DASHSCOPE_API_KEY. */
export const QWEN_DEFAULT: EndpointOptions = {
  baseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
  displayName: 'Qwen (DashScope)',
  apiKeyEnv: 'DASHSCOPE_API_KEY',
  models: [{ id: 'qwen3-coder-plus', displayName: 'Qwen3 Coder Plus', contextWindow: 1_000_000 }],
  acceptUnknownModels: true,
  headers: {},
  maxTokens: 65_536,
}

export const configSchema = z
  .object({
    /**
     * Endpoints by provider id. `qwen` is always there unless given here (replaced whole) or set to
     * `false`.
     */
    endpoints: z.record(z.string().regex(ENDPOINT_ID, 'endpoint ids are lower-case letters, digits and dashes'), z.union([z.literal(false), endpointSchema])).default({}),
    /** A stream that sends nothing for this long ends with PROVIDER_OPENAI_COMPATIBLE_STREAM_IDLE. */
    idleTimeoutMs: z.number().int().positive().default(75_000),
    retry: z
      .object({
        attempts: z.number().int().min(1).max(20).default(6),
        initialDelayMs: z.number().int().min(0).default(5_000),
        maxDelayMs: z.number().int().min(0).default(30_000),
        jitter: z.number().min(0).max(1).default(0.3),
        maxRetryAfterMs: z.number().int().min(0).default(300_000),
      })
      .strict()
      .default({ attempts: 6, initialDelayMs: 5_000, maxDelayMs: 30_000, jitter: 0.3, maxRetryAfterMs: 300_000 }),
  })
  .strict()
export type CompatibleOptions = z.output<typeof configSchema>

/** The endpoints in effect: the `qwen` default merged with the configured ones (`false` removes one). */
export function effectiveEndpoints(options: CompatibleOptions): Array<{ id: string } & EndpointOptions> {
  const merged: Record<string, EndpointOptions | false> = { qwen: QWEN_DEFAULT, ...options.endpoints }
  return Object.entries(merged)
    .filter((entry): entry is [string, EndpointOptions] => entry[1] !== false)
    .map(([id, endpoint]) => ({ id, ...endpoint }))
}
