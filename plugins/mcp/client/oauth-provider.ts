import { UnauthorizedError, type OAuthClientProvider, type OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js'
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js'
import type { ServerConfig } from './config.js'
import { deleteStored, loadStored, markTokensFailed, saveClient, saveDiscovery, saveTokens, type OAuthStoreDeps, type StoredAuth } from './oauth-store.js'

/** What a flow keeps between its start and its completion (in memory, never sent to a client). */
export interface FlowSecrets {
  state: string
  redirectUrl: string
  url?: string
  verifier?: string
  discovery?: OAuthDiscoveryState
}

export interface ProviderDeps extends OAuthStoreDeps {
  clientName: string
  /** Scope to ask for when neither the server's 401 nor its metadata name one. */
  scope?: string
  /** The callback URL of this platform, when known (server-http's address or the configured one). */
  redirectUrl(): string | undefined
}

/**
 * A connect attempt found nothing it may use: no stored authorization, or the refresh token was
 * refused. An UnauthorizedError, so the connection goes `needs-auth` without touching the network
 * (no discovery, no registration: those happen only when a user starts a flow).
 */
export class AuthorizationNeeded extends UnauthorizedError {
  constructor(message: string) {
    super(message)
    this.name = 'AuthorizationNeeded'
  }
}

/** Only used to satisfy the SDK's check when nothing is known yet: connect mode never redirects. */
const PLACEHOLDER_REDIRECT = 'http://127.0.0.1/api/mcp/oauth/callback'

/**
 * The SDK's OAuthClientProvider for one remote MCP server, in one of two modes:
 * - `connect` (each connect attempt): presents the stored access token; on a 401 the SDK refreshes it
 *   with the stored refresh token (saved back, encrypted); it never starts an interactive flow.
 * - `flow` (a login started through the API): ignores stored tokens so a fresh authorization is made,
 *   registers the client when needed (RFC 7591), keeps the PKCE verifier and the authorization URL in
 *   the flow, and stores the tokens the code is exchanged for.
 */
export class McpOAuthProvider implements OAuthClientProvider {
  #stored: StoredAuth | undefined
  #loading: Promise<StoredAuth> | undefined
  #discovery: OAuthDiscoveryState | undefined

  constructor(
    readonly server: ServerConfig,
    private readonly deps: ProviderDeps,
    private readonly flow?: FlowSecrets,
  ) {
    this.#discovery = flow?.discovery
  }

  get #url(): string {
    return this.server.url!
  }

  async #load(): Promise<StoredAuth> {
    if (this.#stored) return this.#stored
    this.#loading ??= loadStored(this.deps, this.server.name, this.#url).then((stored) => (this.#stored = stored))
    return this.#loading
  }

  /** Forget the cached rows: the next read goes to the store. */
  #reload(): void {
    this.#stored = undefined
    this.#loading = undefined
  }

  get redirectUrl(): string {
    if (this.flow) return this.flow.redirectUrl
    return this.#stored?.client?.redirectUri ?? this.deps.redirectUrl() ?? PLACEHOLDER_REDIRECT
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.deps.clientName,
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      // A public client (RFC 8252 native app): PKCE protects the code; a secret given anyway is stored encrypted.
      token_endpoint_auth_method: 'none',
      ...(this.deps.scope ? { scope: this.deps.scope } : {}),
    }
  }

  state(): string {
    if (!this.flow) throw new AuthorizationNeeded('a connect attempt never starts an authorization')
    return this.flow.state
  }

  async clientInformation(): Promise<OAuthClientInformationMixed | undefined> {
    const client = (await this.#load()).client
    if (!client) return undefined
    // Registered for another redirect URL (the platform moved to another port): register again.
    if (this.flow && client.redirectUri !== this.flow.redirectUrl) return undefined
    return client.client
  }

  async saveClientInformation(client: OAuthClientInformationMixed): Promise<void> {
    await saveClient(this.deps, this.server.name, this.#url, client, this.redirectUrl, this.#discovery)
    this.#reload()
  }

  async tokens(): Promise<OAuthTokens | undefined> {
    if (this.flow) return undefined
    const tokens = (await this.#load()).tokens
    return tokens?.info.status === 'active' ? tokens.tokens : undefined
  }

  async saveTokens(tokens: OAuthTokens): Promise<void> {
    await saveTokens(this.deps, this.server.name, this.#url, tokens)
    if (this.flow) await saveDiscovery(this.deps, this.server.name, this.#url, this.#discovery)
    this.#reload()
  }

  async redirectToAuthorization(url: URL): Promise<void> {
    if (this.flow) {
      this.flow.url = url.href
      return
    }
    // Reached only when a refresh failed without an OAuth error (network, 5xx): worth retrying later.
    throw new Error('the stored authorization could not be refreshed (the authorization server did not answer properly); retrying later')
  }

  saveCodeVerifier(verifier: string): void {
    if (this.flow) this.flow.verifier = verifier
  }

  codeVerifier(): string {
    if (!this.flow?.verifier) throw new Error('this login flow has no PKCE code verifier (start it again)')
    return this.flow.verifier
  }

  async discoveryState(): Promise<OAuthDiscoveryState | undefined> {
    if (this.flow) return this.#discovery
    const stored = await this.#load()
    const tokens = await this.tokens()
    if (!tokens) throw new AuthorizationNeeded(stored.tokens ? 'the stored authorization was refused' : 'no authorization is stored')
    if (!tokens.refresh_token || !stored.client) throw new AuthorizationNeeded('the access token was refused and there is no refresh token')
    return this.#discovery ?? stored.client.discovery
  }

  async saveDiscoveryState(state: OAuthDiscoveryState): Promise<void> {
    this.#discovery = state
    if (this.flow) this.flow.discovery = state
    else await saveDiscovery(this.deps, this.server.name, this.#url, state)
  }

  /** The SDK's answer to a rejected client or grant: forget what the server no longer accepts. */
  async invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): Promise<void> {
    if (scope === 'verifier') {
      if (this.flow) this.flow.verifier = undefined
      return
    }
    if (scope === 'discovery') {
      this.#discovery = undefined
      if (this.flow) this.flow.discovery = undefined
      else await saveDiscovery(this.deps, this.server.name, this.#url, undefined)
      return
    }
    if (scope === 'all' || scope === 'client') await deleteStored(this.deps, this.server.name, 'client')
    // A refused refresh token: the row stays (status refresh_failed, shown by GET .../auth) until a new login.
    if (!this.flow && (scope === 'all' || scope === 'tokens')) await markTokensFailed(this.deps, this.server.name)
    this.#reload()
  }
}
