import type { ProviderId } from './adapter.js'
import type { AuthOauthOptions } from './config.js'

/** Whether a provider's subscription login may be used, and why (provider-fidelity.md §14). */
export interface OAuthPolicy {
  /** The provider's published terms restrict third-party clients using this login. */
  restricted: boolean
  enabled: boolean
  /** What decided `enabled`. */
  enabledBy: 'config' | 'environment' | 'default'
  note: string
  /** What the operator sets to change it. */
  howToEnable: string
}

const NOTES: Record<ProviderId, { restricted: boolean; note: string }> = {
  anthropic: {
    restricted: true,
    note: "Claude subscription login uses Claude Code's OAuth client and request identity. Anthropic publishes no permission for third-party clients to use it; using it may breach Anthropic's terms. Off unless the operator enables it.",
  },
  codex: {
    restricted: false,
    note: "ChatGPT login needs an active ChatGPT Plus/Pro subscription; use is governed by OpenAI's terms. API-key users should use the openai provider instead.",
  },
  gemini: {
    restricted: true,
    note: "gemini-cli's terms state that using Gemini Code Assist through third-party software with Gemini CLI OAuth violates the applicable terms and may lead to account suspension. Off unless the operator enables it (or sets GOOGLE_GENAI_USE_GCA=true, as gemini-cli users do).",
  },
}

/** Config wins; unset means the default: restricted logins off, except Code Assist with GOOGLE_GENAI_USE_GCA=true. */
export function resolvePolicies(options: AuthOauthOptions, env: NodeJS.ProcessEnv = process.env): Record<ProviderId, OAuthPolicy> {
  const decide = (id: ProviderId, environmentSays: boolean | undefined): OAuthPolicy => {
    const { restricted, note } = NOTES[id]
    const configured = options[id].enabled
    const base = { restricted, note, howToEnable: `Set plugins['auth-oauth'].${id}.enabled = true in the config file${id === 'gemini' ? ' or GOOGLE_GENAI_USE_GCA=true' : ''}.` }
    if (configured !== undefined) return { ...base, enabled: configured, enabledBy: 'config' }
    if (environmentSays !== undefined) return { ...base, enabled: environmentSays, enabledBy: 'environment' }
    return { ...base, enabled: !restricted, enabledBy: 'default' }
  }
  const gca = env.GOOGLE_GENAI_USE_GCA?.trim().toLowerCase() === 'true' ? true : undefined
  return { anthropic: decide('anthropic', undefined), codex: decide('codex', undefined), gemini: decide('gemini', gca) }
}
