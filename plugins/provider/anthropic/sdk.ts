import Anthropic from '@anthropic-ai/sdk'
import type { Credential, CredentialQuery, Logger } from '../../../kernel/index.js'
import type { AnthropicOptions } from './config.js'
import { isAnthropicHost, OAUTH } from './request.js'

export const DEFAULT_BASE_URL = 'https://api.anthropic.com'
export const PROVIDER = 'anthropic'

/** Option `baseUrl`, else `ANTHROPIC_BASE_URL`, else https://api.anthropic.com (read per call). */
export function resolveBaseUrl(options: AnthropicOptions): string {
  return options.baseUrl || process.env.ANTHROPIC_BASE_URL || DEFAULT_BASE_URL
}

/** OAuth tokens are used only against anthropic.com hosts (llxprt's eligibility rule). */
export function credentialQuery(baseUrl: string): CredentialQuery {
  return isAnthropicHost(baseUrl) ? { providerId: PROVIDER } : { providerId: PROVIDER, modes: ['api_key'] }
}

/** A Claude subscription token: resolved as OAuth, or recognised by its `sk-ant-oat` prefix as llxprt does. */
export function isOAuthCredential(credential: Credential): boolean {
  return credential.mode === 'oauth' || credential.secret.reveal().startsWith('sk-ant-oat')
}

export interface SdkDeps {
  logger: Logger
  /** Tests only: the fetch the SDK uses. */
  fetch?: typeof fetch
}

/**
 * A fresh SDK client for one call, configured as llxprt does: browser access allowed (it adds
 * `anthropic-dangerous-direct-browser-access: true`), SDK retries off. API keys go in `X-Api-Key`;
 * OAuth tokens as `Authorization: Bearer` with the OAuth betas as default headers. The other auth
 * slot is set to null so a stray ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN in the environment is
 * never sent alongside.
 */
export function createSdk(credential: Credential, baseUrl: string, deps: SdkDeps): Anthropic {
  const secret = credential.secret.reveal()
  const auth = isOAuthCredential(credential)
    ? { authToken: secret, apiKey: null, defaultHeaders: { 'anthropic-beta': OAUTH.betas.join(', ') } }
    : { apiKey: secret, authToken: null }
  const log = deps.logger
  return new Anthropic({
    baseURL: baseUrl,
    dangerouslyAllowBrowser: true,
    maxRetries: 0,
    ...auth,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    // Only the SDK's message text is logged: its extra arguments may include request details.
    logger: { error: (m: string) => log.error(m), warn: (m: string) => log.warn(m), info: (m: string) => log.info(m), debug: (m: string) => log.debug(m) },
  })
}
