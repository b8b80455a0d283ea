import type { Secret } from './config.js'

/** How a credential authenticates: an API key, or an OAuth access token (with refresh). */
export type AuthMode = 'api_key' | 'oauth'

/** Where a resolved credential came from, in precedence order (first wins). */
export type CredentialSource = 'config' | 'keyfile' | 'vault' | 'env' | 'oauth'

/** A usable credential. Secrets are `Secret` objects: printing them shows `[redacted]`. */
export interface Credential {
  /** Provider id in the API: anthropic, openai, openai-responses, codex, gemini, ... */
  providerId: string
  mode: AuthMode
  /** The API key or the OAuth access token. */
  secret: Secret
  refreshToken?: Secret
  /** ISO time the access token expires (OAuth). */
  expiresAt?: string | null
  scopes?: string[]
  source: CredentialSource
  /** Id of the credentialSources item that produced it (the resolver asks it to refresh). */
  sourceId?: string
  /** Vault row id when stored. */
  id?: string
  label?: string
  /** Non-secret facts the provider needs (ChatGPT account id, Google project id, e-mail). */
  meta?: Record<string, unknown>
  /** Stored credentials: the user it belongs to (null: server-wide). */
  ownerId?: string | null
}

/** What the API shows of a stored credential: never the secret, only a masked hint. */
export interface CredentialInfo {
  id: string
  providerId: string
  mode: AuthMode
  label: string | null
  /** Last four characters, e.g. `…a1b2`. */
  hint: string
  status: 'active' | 'refresh_failed' | 'revoked'
  expiresAt: string | null
  scopes: string[]
  meta: Record<string, unknown>
  /** The user it belongs to; null = server-wide (set by an admin). */
  ownerId: string | null
  keyVersion: number | null
  createdAt: string
  updatedAt: string
  lastUsedAt: string | null
}

export interface NewCredential {
  providerId: string
  mode: AuthMode
  secret: string
  refreshToken?: string | null
  expiresAt?: string | null
  scopes?: string[]
  label?: string | null
  meta?: Record<string, unknown>
  /** A user's own credential; unset or null = server-wide. */
  ownerId?: string | null
}

export interface CredentialPatch {
  secret?: string
  refreshToken?: string | null
  expiresAt?: string | null
  status?: CredentialInfo['status']
  meta?: Record<string, unknown>
  lastUsedAt?: string
}

/**
 * Port: stored credentials. The kernel's default keeps them in memory (lost on restart);
 * auth-vault replaces it with AES-256-GCM encrypted rows in PostgreSQL.
 */
export interface CredentialStore {
  /** `ownerId`: only that user's (a string) or only server-wide ones (null); unset = all. */
  list(filter?: { providerId?: string; ownerId?: string | null }): Promise<CredentialInfo[]>
  /** Decrypted credential by id (for the plugins that use it; never for API responses). */
  get(id: string): Promise<Credential | null>
  /**
   * The most recently updated active credential of a provider and mode: the user's own when `ownerId`
   * is given and they have one, else a server-wide one.
   */
  find(providerId: string, mode: AuthMode, ownerId?: string | null): Promise<Credential | null>
  save(input: NewCredential): Promise<CredentialInfo>
  update(id: string, patch: CredentialPatch): Promise<CredentialInfo | null>
  delete(id: string): Promise<boolean>
}

export interface CredentialQuery {
  providerId: string
  /** Modes acceptable to the caller, in no particular order (default: both). */
  modes?: AuthMode[]
  /**
   * Whose credentials may be used besides server-wide ones. The resolver fills it from the current
   * call context (the session's owner) when the caller leaves it unset.
   */
  ownerId?: string | null
}

/**
 * An item of the `credentialSources` registry: one place a credential can come from. The resolver
 * asks sources in ascending `precedence`; the first that answers wins.
 */
export interface CredentialSourceDefinition {
  id: string
  precedence: number
  resolve(query: CredentialQuery): Promise<Credential | null>
  /**
   * Renew a credential this source produced after the provider rejected it (401) or near expiry;
   * null when it cannot be renewed (API keys).
   */
  refresh?(credential: Credential, reason: 'expired' | 'rejected'): Promise<Credential | null>
}

/** Named precedences, mirroring llxprt: config key, key file, stored key, environment, OAuth. */
export const CredentialPrecedence = { CONFIG: 100, KEYFILE: 200, VAULT: 300, ENV: 400, OAUTH: 500 } as const

/** Kernel service `credentials`: resolves the credential a call should use. */
export interface CredentialResolver {
  resolve(query: CredentialQuery): Promise<Credential | null>
  /** Ask the credential's source to renew it (a provider got 401 with it); null when it cannot. */
  refresh(credential: Credential, reason: 'expired' | 'rejected'): Promise<Credential | null>
}

/** `…` plus the last four characters: the only part of a secret the API ever shows. */
export function secretHint(value: string): string {
  return value.length <= 8 ? '…' : `…${value.slice(-4)}`
}
