import type { Env } from './auth-mode.js'

/** This platform's name in the User-Agent product slot (where gemini-cli puts `GeminiCLI-tui`). */
export const PRODUCT = 'AgentPlatform'

/**
 * gemini-cli's `<surface>` slot: GEMINI_CLI_SURFACE or SURFACE, else `GitHub` under GitHub Actions,
 * else `terminal` (its IDE detection does not apply to a server).
 */
export function determineSurface(env: Env): string {
  const custom = env.GEMINI_CLI_SURFACE || env.SURFACE
  if (custom) return custom
  return env.GITHUB_SHA ? 'GitHub' : 'terminal'
}

/** `AgentPlatform/<version>/<model> (<platform>; <arch>; <surface>)`, gemini-cli's format with our product. */
export function userAgent(version: string, model: string, surface: string): string {
  return `${PRODUCT}/${version}/${model} (${process.platform}; ${process.arch}; ${surface})`
}

/** GEMINI_CLI_CUSTOM_HEADERS: `Name: value, Other: value` (a comma inside a value stays in the value). */
export function parseCustomHeaders(value: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {}
  if (!value) return headers
  for (const entry of value.split(/,(?=\s*[^,:]+:)/)) {
    const item = entry.trim()
    const colon = item.indexOf(':')
    if (colon <= 0) continue
    const name = item.slice(0, colon).trim()
    if (name) headers[name] = item.slice(colon + 1).trim()
  }
  return headers
}

export interface HeaderInput {
  version: string
  model: string
  env: Env
  surface?: string
  configHeaders: Record<string, string>
  /** Request-specific headers from request.build taps (`request.extra.headers`). */
  extraHeaders?: Record<string, string>
}

/** The headers gemini-cli adds on every path: User-Agent, then GEMINI_CLI_CUSTOM_HEADERS, then configured ones. */
export function baseHeaders(input: HeaderInput): Record<string, string> {
  return {
    'User-Agent': userAgent(input.version, input.model, input.surface ?? determineSurface(input.env)),
    ...parseCustomHeaders(input.env.GEMINI_CLI_CUSTOM_HEADERS),
    ...input.configHeaders,
    ...input.extraHeaders,
  }
}
