import type { OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js'
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js'
import type { CredentialInfo, CredentialStore } from '../../../kernel/index.js'

/**
 * OAuth state of remote MCP servers in the kernel's `credentialStore` port (auth-vault: encrypted
 * rows, the same table as provider logins). Two rows per server, both with provider id `mcp:<server>`
 * and mode `oauth`, told apart by `meta.kind`:
 * - `mcp-oauth-tokens`: secret = access token, refreshToken = refresh token, expiresAt, scopes, like an
 *   auth-oauth login; meta holds only non-secret facts (server, url, issuer, token type).
 * - `mcp-oauth-client`: the dynamic client registration (client_id, client_secret when the server gave
 *   one) and the discovery results, as one JSON document in the encrypted secret.
 * Everything secret is in the encrypted part; meta is readable by the credentials API.
 */
export const TOKENS_KIND = 'mcp-oauth-tokens'
export const CLIENT_KIND = 'mcp-oauth-client'

export const credentialProviderId = (server: string): string => `mcp:${server}`

export interface StoredTokens {
  info: CredentialInfo
  tokens: OAuthTokens
}

export interface StoredClient {
  info: CredentialInfo
  client: OAuthClientInformationMixed
  discovery?: OAuthDiscoveryState
  redirectUri?: string
}

export interface StoredAuth {
  /** The newest tokens row for this url, active or not (status tells). */
  tokens?: StoredTokens
  client?: StoredClient
}

/** The encrypted document of a client row; `v` last, so the row's hint (last four characters) says nothing. */
interface ClientDocument {
  client: OAuthClientInformationMixed
  discovery?: OAuthDiscoveryState
  v: 1
}

export interface OAuthStoreDeps {
  credentials(): CredentialStore
  now(): Date
}

const kindOf = (info: CredentialInfo): unknown => info.meta?.kind

/** Rows of one server, newest first, optionally of one kind. */
async function rows(deps: OAuthStoreDeps, server: string, kind?: string): Promise<CredentialInfo[]> {
  const all = await deps.credentials().list({ providerId: credentialProviderId(server) })
  return all.filter((info) => info.mode === 'oauth' && (!kind || kindOf(info) === kind)).sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1))
}

/** Row infos only (nothing decrypted): for the status route. */
export async function storedInfos(deps: OAuthStoreDeps, server: string): Promise<{ tokens?: CredentialInfo; client?: CredentialInfo }> {
  const all = await rows(deps, server)
  return { tokens: all.find((i) => kindOf(i) === TOKENS_KIND), client: all.find((i) => kindOf(i) === CLIENT_KIND) }
}

/**
 * What is stored for a server at `url`. Rows stored for another url (the server's address was
 * changed in the config) are ignored: a token is only ever sent to the resource it was issued for.
 */
export async function loadStored(deps: OAuthStoreDeps, server: string, url: string): Promise<StoredAuth> {
  const all = await rows(deps, server)
  const result: StoredAuth = {}
  const store = deps.credentials()
  const tokenInfo = all.find((i) => kindOf(i) === TOKENS_KIND && i.meta.url === url)
  if (tokenInfo) {
    const credential = await store.get(tokenInfo.id)
    if (credential) {
      const meta = tokenInfo.meta
      const left = tokenInfo.expiresAt ? Math.floor((Date.parse(tokenInfo.expiresAt) - deps.now().getTime()) / 1000) : undefined
      result.tokens = {
        info: tokenInfo,
        tokens: {
          access_token: credential.secret.reveal(),
          token_type: typeof meta.tokenType === 'string' ? meta.tokenType : 'Bearer',
          ...(credential.refreshToken ? { refresh_token: credential.refreshToken.reveal() } : {}),
          ...(left !== undefined ? { expires_in: Math.max(0, left) } : {}),
          ...(tokenInfo.scopes.length ? { scope: tokenInfo.scopes.join(' ') } : {}),
          ...(typeof meta.issuer === 'string' ? { issuer: meta.issuer } : {}),
        },
      }
    }
  }
  const clientInfo = all.find((i) => kindOf(i) === CLIENT_KIND && i.meta.url === url)
  if (clientInfo) {
    const credential = await store.get(clientInfo.id)
    const document = credential ? parseDocument(credential.secret.reveal()) : null
    if (document) {
      result.client = {
        info: clientInfo,
        client: document.client,
        ...(document.discovery ? { discovery: document.discovery } : {}),
        ...(typeof clientInfo.meta.redirectUri === 'string' ? { redirectUri: clientInfo.meta.redirectUri } : {}),
      }
    }
  }
  return result
}

function parseDocument(text: string): ClientDocument | null {
  try {
    const value = JSON.parse(text) as ClientDocument
    return value && typeof value.client?.client_id === 'string' ? value : null
  } catch {
    return null
  }
}

/** Save new tokens (a login or a refresh), then delete the server's older token rows. */
export async function saveTokens(deps: OAuthStoreDeps, server: string, url: string, tokens: OAuthTokens): Promise<CredentialInfo> {
  const old = await rows(deps, server, TOKENS_KIND)
  const expiresAt = typeof tokens.expires_in === 'number' && tokens.expires_in > 0 ? new Date(deps.now().getTime() + tokens.expires_in * 1000).toISOString() : null
  const saved = await deps.credentials().save({
    providerId: credentialProviderId(server),
    mode: 'oauth',
    secret: tokens.access_token,
    refreshToken: tokens.refresh_token ?? null,
    expiresAt,
    scopes: tokens.scope ? tokens.scope.split(/\s+/).filter(Boolean) : [],
    label: `MCP server ${server}`,
    meta: { kind: TOKENS_KIND, server, url, ...(tokens.issuer ? { issuer: tokens.issuer } : {}), tokenType: tokens.token_type },
  })
  for (const info of old) await deps.credentials().delete(info.id)
  return saved
}

/** Save the client registration (and the discovery it was made with), replacing older ones. */
export async function saveClient(
  deps: OAuthStoreDeps,
  server: string,
  url: string,
  client: OAuthClientInformationMixed,
  redirectUri: string,
  discovery?: OAuthDiscoveryState,
): Promise<CredentialInfo> {
  const old = await rows(deps, server, CLIENT_KIND)
  const document: ClientDocument = { client, ...(discovery ? { discovery } : {}), v: 1 }
  const saved = await deps.credentials().save({
    providerId: credentialProviderId(server),
    mode: 'oauth',
    secret: JSON.stringify(document),
    label: `MCP server ${server} (client registration)`,
    meta: { kind: CLIENT_KIND, server, url, clientId: client.client_id, redirectUri, ...(client.issuer ? { issuer: client.issuer } : {}) },
  })
  for (const info of old) await deps.credentials().delete(info.id)
  return saved
}

/** Replace the discovery results kept with the client registration (no-op without one). */
export async function saveDiscovery(deps: OAuthStoreDeps, server: string, url: string, discovery: OAuthDiscoveryState | undefined): Promise<void> {
  const stored = (await loadStored(deps, server, url)).client
  if (!stored) return
  const document: ClientDocument = { client: stored.client, ...(discovery ? { discovery } : {}), v: 1 }
  await deps.credentials().update(stored.info.id, { secret: JSON.stringify(document) })
}

/** A refresh token the authorization server refused: kept for the record, never used again. */
export async function markTokensFailed(deps: OAuthStoreDeps, server: string): Promise<void> {
  for (const info of await rows(deps, server, TOKENS_KIND)) await deps.credentials().update(info.id, { status: 'refresh_failed' })
}

/** Delete rows of a server: its tokens, its client registration, or both. Returns how many went. */
export async function deleteStored(deps: OAuthStoreDeps, server: string, what: 'tokens' | 'client' | 'all'): Promise<number> {
  const kind = what === 'tokens' ? TOKENS_KIND : what === 'client' ? CLIENT_KIND : undefined
  let deleted = 0
  for (const info of await rows(deps, server, kind)) if (await deps.credentials().delete(info.id)) deleted++
  return deleted
}
