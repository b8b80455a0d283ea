import type { ProviderClient } from '../../../kernel/index.js'
import type { AuthDecision } from './auth-mode.js'

export type { AuthDecision, GeminiAuthMode } from './auth-mode.js'

/** Service `providerGemini`. */
export interface GeminiProviderService {
  /** How the next call would reach Gemini (API key, gateway, Vertex AI, Code Assist), from config and environment. */
  authMode(): AuthDecision
  /** The provider client (the same one the engine uses). */
  client: ProviderClient
}

declare module '../../../kernel/services.js' {
  interface KernelServices {
    providerGemini: GeminiProviderService
  }
}
