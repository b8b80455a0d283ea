import { z } from 'zod'

/**
 * Options of auth-oauth. Endpoint defaults are the reference clients' values (provider-fidelity.md
 * §4.1, §7.1, §10.1); tests point them at a fake authorisation server. `enabled` left unset means
 * the policy default of §14: restricted subscription logins (anthropic, gemini) stay off.
 */

const port = z.number().int().min(0).max(65_535)
const url = z.string().url()

const common = {
  /** Unset: policy default (see policy.ts). true/false: the operator's explicit choice. */
  enabled: z.boolean().optional(),
  /** Interface the loopback callback listener binds. */
  callbackHost: z.string().min(1).default('127.0.0.1'),
  /** First port tried by the callback listener; 0 = any free port. */
  callbackPort: port,
  /** Ports tried from callbackPort upwards before AUTH_OAUTH_PORT_IN_USE. */
  callbackPortAttempts: z.number().int().min(1).max(100),
  /** An access token counts as expired this long before its expiry (refresh on access). */
  refreshSkewMs: z.number().int().min(0),
  /** How long a browser/paste flow waits for the callback or a pasted code. */
  flowTtlMs: z.number().int().min(1_000).default(300_000),
}

const anthropicSchema = z
  .object({
    ...common,
    callbackPort: common.callbackPort.default(8765),
    callbackPortAttempts: common.callbackPortAttempts.default(31),
    refreshSkewMs: common.refreshSkewMs.default(30_000),
    clientId: z.string().min(1).default('9d1c250a-e61b-44d9-88ed-5944d1962f5e'),
    authorizeUrl: url.default('https://claude.ai/oauth/authorize'),
    tokenUrl: url.default('https://console.anthropic.com/v1/oauth/token'),
    pasteRedirectUri: url.default('https://console.anthropic.com/oauth/code/callback'),
    scopes: z.array(z.string().min(1)).min(1).default(['org:create_api_key', 'user:profile', 'user:inference']),
  })
  .strict()

const codexSchema = z
  .object({
    ...common,
    callbackPort: common.callbackPort.default(1455),
    callbackPortAttempts: common.callbackPortAttempts.default(31),
    refreshSkewMs: common.refreshSkewMs.default(30_000),
    clientId: z.string().min(1).default('app_EMoamEEZ73f0CkXaXp7hrann'),
    authorizeUrl: url.default('https://auth.openai.com/oauth/authorize'),
    tokenUrl: url.default('https://auth.openai.com/oauth/token'),
    deviceCodeUrl: url.default('https://auth.openai.com/api/accounts/deviceauth/usercode'),
    deviceTokenUrl: url.default('https://auth.openai.com/api/accounts/deviceauth/token'),
    deviceRedirectUri: url.default('https://auth.openai.com/deviceauth/callback'),
    deviceVerificationUri: url.default('https://auth.openai.com/codex/device'),
    /** How long a device code is valid (the reference polls for 15 minutes). */
    deviceTtlMs: z.number().int().min(1_000).default(900_000),
    scopes: z.array(z.string().min(1)).min(1).default(['openid', 'profile', 'email', 'offline_access']),
    originator: z.string().min(1).default('codex_cli_rs'),
  })
  .strict()

/** gemini-cli reads OAUTH_CALLBACK_PORT / OAUTH_CALLBACK_HOST; otherwise an OS-assigned port on 127.0.0.1. */
function envPort(): number {
  const value = Number.parseInt(process.env.OAUTH_CALLBACK_PORT ?? '', 10)
  return Number.isInteger(value) && value > 0 && value <= 65_535 ? value : 0
}

const geminiSchema = z
  .object({
    ...common,
    callbackHost: common.callbackHost.default(() => process.env.OAUTH_CALLBACK_HOST || '127.0.0.1'),
    callbackPort: common.callbackPort.default(envPort),
    callbackPortAttempts: common.callbackPortAttempts.default(1),
    refreshSkewMs: common.refreshSkewMs.default(300_000),
    clientId: z.string().min(1).default('681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com'),
    /** The installed-app client secret gemini-cli ships (Google does not treat it as secret). */
    clientSecret: z.string().min(1).default('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'),
    authorizeUrl: url.default('https://accounts.google.com/o/oauth2/v2/auth'),
    tokenUrl: url.default('https://oauth2.googleapis.com/token'),
    revokeUrl: url.default('https://oauth2.googleapis.com/revoke'),
    userinfoUrl: url.default('https://www.googleapis.com/oauth2/v2/userinfo'),
    pasteRedirectUri: url.default('https://codeassist.google.com/authcode'),
    successUrl: url.default('https://developers.google.com/gemini-code-assist/auth_success_gemini'),
    failureUrl: url.default('https://developers.google.com/gemini-code-assist/auth_failure_gemini'),
    scopes: z
      .array(z.string().min(1))
      .min(1)
      .default(['https://www.googleapis.com/auth/cloud-platform', 'https://www.googleapis.com/auth/userinfo.email', 'https://www.googleapis.com/auth/userinfo.profile']),
    /** Revoke the grant at Google on logout (gemini-cli only deletes its file). */
    revokeOnLogout: z.boolean().default(true),
  })
  .strict()

const deviceSchema = z
  .object({
    /** Added to the poll interval on `slow_down` (RFC 8628: 5 seconds). */
    slowDownMs: z.number().int().min(0).default(5_000),
    /** Interval when the server gives none (the reference's default: 5 s). */
    defaultIntervalMs: z.number().int().min(1).default(5_000),
    /** Overrides the server's interval (tests); unset = use the server's. */
    intervalMs: z.number().int().min(1).optional(),
  })
  .strict()

const refreshSchema = z
  .object({
    /** How often the background job looks for credentials due for renewal. */
    checkEveryMs: z.number().int().min(50).default(60_000),
    /** Renew at expiry - max(minLeadMs, leadFraction x lifetime) - random(0..jitterMs) (llxprt §12.5). */
    minLeadMs: z.number().int().min(0).default(300_000),
    leadFraction: z.number().min(0).max(1).default(0.1),
    jitterMs: z.number().int().min(0).default(30_000),
    /** Failed proactive renewals back off from retryBaseMs doubling up to retryMaxMs; stop after maxFailures. */
    retryBaseMs: z.number().int().min(0).default(30_000),
    retryMaxMs: z.number().int().min(0).default(1_800_000),
    maxFailures: z.number().int().min(1).default(3),
    /** TTL of the per-credential refresh lock, and how long a second refresher waits for it. */
    lockTtlMs: z.number().int().min(100).default(60_000),
    lockWaitMs: z.number().int().min(0).default(10_000),
  })
  .strict()

export const configSchema = z
  .object({
    anthropic: anthropicSchema.default(() => anthropicSchema.parse({})),
    codex: codexSchema.default(() => codexSchema.parse({})),
    gemini: geminiSchema.default(() => geminiSchema.parse({})),
    device: deviceSchema.default(() => deviceSchema.parse({})),
    refresh: refreshSchema.default(() => refreshSchema.parse({})),
    /** Timeout of each call to an authorisation server (the reference: 30 s). */
    networkTimeoutMs: z.number().int().min(100).default(30_000),
    /** How long a finished or expired flow's status stays readable. */
    flowRetentionMs: z.number().int().min(1_000).default(600_000),
  })
  .strict()

export type AuthOauthOptions = z.output<typeof configSchema>
export type AnthropicOptions = AuthOauthOptions['anthropic']
export type CodexOptions = AuthOauthOptions['codex']
export type GeminiOptions = AuthOauthOptions['gemini']
