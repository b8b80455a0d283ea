/**
 * Which way the `gemini` provider reaches Google, decided as gemini-cli 0.61.0 does
 * (`getAuthTypeFromEnv` + `createContentGeneratorConfig` in packages/core/src/core/contentGenerator.ts).
 */

export type Env = Record<string, string | undefined>

/** `gateway`: the Gemini API at GOOGLE_GEMINI_BASE_URL, with the key when there is one. */
export type GeminiAuthMode = 'api-key' | 'gateway' | 'vertex' | 'code-assist'

export type ConfiguredMode = 'auto' | 'api-key' | 'vertex' | 'code-assist'

export type AuthDecision = { ok: true; mode: GeminiAuthMode; why: string } | { ok: false; code: string; message: string }

const set = (value: string | undefined): value is string => value !== undefined && value !== ''

/** Project and location as gemini-cli reads them for Vertex AI and Code Assist. */
export function googleProject(env: Env): string | undefined {
  return env.GOOGLE_CLOUD_PROJECT || env.GOOGLE_CLOUD_PROJECT_ID || undefined
}

export const VERTEX_MISSING =
  'Vertex AI needs GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION (with GOOGLE_CLOUD_ACCESS_TOKEN or Application Default Credentials), or GOOGLE_API_KEY for express mode.'

function vertex(env: Env, why: string): AuthDecision {
  if (set(env.GOOGLE_API_KEY) || (googleProject(env) && set(env.GOOGLE_CLOUD_LOCATION))) return { ok: true, mode: 'vertex', why }
  return { ok: false, code: 'PROVIDER_GEMINI_VERTEX_CONFIG_MISSING', message: VERTEX_MISSING }
}

/**
 * The decision table. With `auto` (the default) the first matching row wins, in gemini-cli's order:
 * GOOGLE_GENAI_USE_GCA=true -> Code Assist; GOOGLE_GENAI_USE_VERTEXAI=true -> Vertex;
 * GOOGLE_GEMINI_BASE_URL -> gateway; GEMINI_API_KEY -> API key; CLOUD_SHELL / GEMINI_CLI_USE_COMPUTE_ADC
 * -> compute ADC (not supported here); otherwise the API key path (a stored or GOOGLE_API_KEY key may
 * resolve). Code Assist is never chosen unless switched on explicitly (policy, spec §14).
 */
export function decideAuthMode(configured: ConfiguredMode, env: Env): AuthDecision {
  if (configured === 'code-assist') return { ok: true, mode: 'code-assist', why: 'config mode code-assist' }
  if (configured === 'vertex') return vertex(env, 'config mode vertex')
  if (configured === 'api-key') return { ok: true, mode: 'api-key', why: 'config mode api-key' }
  if (env.GOOGLE_GENAI_USE_GCA === 'true') return { ok: true, mode: 'code-assist', why: 'GOOGLE_GENAI_USE_GCA=true' }
  if (env.GOOGLE_GENAI_USE_VERTEXAI === 'true') return vertex(env, 'GOOGLE_GENAI_USE_VERTEXAI=true')
  if (set(env.GOOGLE_GEMINI_BASE_URL)) return { ok: true, mode: 'gateway', why: 'GOOGLE_GEMINI_BASE_URL' }
  if (set(env.GEMINI_API_KEY)) return { ok: true, mode: 'api-key', why: 'GEMINI_API_KEY' }
  if (env.CLOUD_SHELL === 'true' || env.GEMINI_CLI_USE_COMPUTE_ADC === 'true') {
    return {
      ok: false,
      code: 'PROVIDER_GEMINI_AUTH_UNSUPPORTED',
      message: 'Compute-engine credentials (CLOUD_SHELL / GEMINI_CLI_USE_COMPUTE_ADC) are not supported; set GEMINI_API_KEY, or use Vertex AI (GOOGLE_GENAI_USE_VERTEXAI=true).',
    }
  }
  return { ok: true, mode: 'api-key', why: 'default' }
}

/** Base URL of the Gemini API: config, then GOOGLE_GEMINI_BASE_URL (the SDK default otherwise). */
export function geminiBaseUrl(configured: string | undefined, env: Env): string | undefined {
  return configured ?? (set(env.GOOGLE_GEMINI_BASE_URL) ? env.GOOGLE_GEMINI_BASE_URL : undefined)
}

/** Base URL of Vertex AI: config, GOOGLE_VERTEX_BASE_URL, then the us / eu REP hosts gemini-cli uses. */
export function vertexBaseUrl(configured: string | undefined, env: Env): string | undefined {
  if (configured) return configured
  if (set(env.GOOGLE_VERTEX_BASE_URL)) return env.GOOGLE_VERTEX_BASE_URL
  if (env.GOOGLE_CLOUD_LOCATION === 'us') return 'https://aiplatform.us.rep.googleapis.com'
  if (env.GOOGLE_CLOUD_LOCATION === 'eu') return 'https://aiplatform.eu.rep.googleapis.com'
  return undefined
}

/** `{base}/{version}` of the Code Assist API (CODE_ASSIST_ENDPOINT, CODE_ASSIST_API_VERSION). */
export function codeAssistBase(configured: string | undefined, env: Env): string {
  const endpoint = configured ?? env.CODE_ASSIST_ENDPOINT ?? 'https://cloudcode-pa.googleapis.com'
  return `${endpoint}/${env.CODE_ASSIST_API_VERSION || 'v1internal'}`
}
