import { z } from 'zod'

/** Retry pacing for opening a stream (gemini-cli's defaults: 10 attempts, 5 s .. 30 s, ±30 %). */
const retrySchema = z
  .object({
    attempts: z.number().int().min(1).max(20).default(10),
    initialDelayMs: z.number().int().min(0).default(5_000),
    maxDelayMs: z.number().int().min(0).default(30_000),
    jitter: z.number().min(0).max(1).default(0.3),
    /** Longest server-given delay (RetryInfo, Retry-After) honoured; longer ones end the call. */
    maxRetryAfterMs: z.number().int().min(0).default(300_000),
  })
  .strict()

const codeAssistSchema = z
  .object({
    /** After setup, call retrieveUserQuota and listExperiments once, as gemini-cli 0.61.0 does at startup. */
    startupCalls: z.boolean().default(true),
    /** Pause between polls of the onboarding operation (gemini-cli: 5 s). */
    onboardPollMs: z.number().int().min(1).default(5_000),
    /** Polls before onboarding is given up (gemini-cli polls until done; this bounds it). */
    onboardMaxPolls: z.number().int().min(1).default(60),
    /** Model id sent to the Code Assist backend for a requested id (gemini-cli's backend mapping). */
    modelMappings: z.record(z.string(), z.string()).default({ 'gemini-3.5-flash': 'gemini-3-flash' }),
  })
  .strict()

export const configSchema = z
  .object({
    /**
     * How to reach Gemini. `auto` decides from the environment exactly as gemini-cli does
     * (GOOGLE_GENAI_USE_GCA, GOOGLE_GENAI_USE_VERTEXAI, GOOGLE_GEMINI_BASE_URL, GEMINI_API_KEY).
     * `code-assist` (or GOOGLE_GENAI_USE_GCA=true) is the explicit switch for the Google-login path.
     */
    mode: z.enum(['auto', 'api-key', 'vertex', 'code-assist']).default('auto'),
    /** Gemini API base URL (default: GOOGLE_GEMINI_BASE_URL, else the SDK's). */
    baseUrl: z.string().url().optional(),
    /** Vertex AI base URL (default: GOOGLE_VERTEX_BASE_URL, else the us/eu REP host or the SDK's). */
    vertexBaseUrl: z.string().url().optional(),
    /** Code Assist endpoint (default: CODE_ASSIST_ENDPOINT, else https://cloudcode-pa.googleapis.com). */
    codeAssistEndpoint: z.string().url().optional(),
    /** The `<surface>` slot of the User-Agent (default: GEMINI_CLI_SURFACE, SURFACE, GitHub, terminal). */
    surface: z.string().min(1).optional(),
    /** Extra request headers (merged after GEMINI_CLI_CUSTOM_HEADERS). */
    headers: z.record(z.string(), z.string()).default({}),
    /** Merged over the per-model generation defaults (temperature, topP, topK, thinkingConfig...). */
    generationConfig: z.record(z.string(), z.unknown()).default({}),
    /** Accept model ids outside the static list (gemini-cli accepts any `-m`). */
    acceptUnknownModels: z.boolean().default(true),
    /** Longest silence while waiting for the response or between stream events. */
    idleTimeoutMs: z.number().int().min(1).default(60_000),
    retry: retrySchema.prefault({}),
    codeAssist: codeAssistSchema.prefault({}),
  })
  .strict()

export type GeminiOptions = z.output<typeof configSchema>
export type GeminiRetryOptions = GeminiOptions['retry']
export type CodeAssistOptions = GeminiOptions['codeAssist']
