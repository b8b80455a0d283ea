import type { CredentialCheck, CredentialResolver } from '../../../kernel/index.js'
import { decideAuthMode, type ConfiguredMode, type Env } from './auth-mode.js'

export const API_KEY_MISSING = 'No Gemini API key: set GEMINI_API_KEY (or GOOGLE_API_KEY), or store a key for provider "gemini".'
export const LOGIN_MISSING = 'Code Assist needs a Google login: log in with the Google OAuth flow for provider "gemini", or set GOOGLE_CLOUD_ACCESS_TOKEN.'

/** Before a turn: is the chosen way to reach Gemini usable (a key, a login, the Vertex settings)? */
export async function checkGeminiCredential(mode: ConfiguredMode, env: Env, credentials: CredentialResolver): Promise<CredentialCheck> {
  const decision = decideAuthMode(mode, env)
  if (!decision.ok) return { ok: false, code: decision.code, message: decision.message }
  if (decision.mode === 'api-key' && !(await credentials.resolve({ providerId: 'gemini', modes: ['api_key'] }))) {
    return { ok: false, code: 'AUTH_CREDENTIAL_MISSING', message: API_KEY_MISSING }
  }
  if (decision.mode === 'code-assist' && !env.GOOGLE_CLOUD_ACCESS_TOKEN && !(await credentials.resolve({ providerId: 'gemini', modes: ['oauth'] }))) {
    return { ok: false, code: 'AUTH_CREDENTIAL_MISSING', message: LOGIN_MISSING }
  }
  return { ok: true }
}
