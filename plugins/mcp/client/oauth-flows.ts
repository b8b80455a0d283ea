import { randomBytes } from 'node:crypto'
import { auth, extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js'
import { OAuthError } from '@modelcontextprotocol/sdk/server/auth/errors.js'
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js'
import { PlatformError, type CredentialInfo, type Logger, type protocol } from '../../../kernel/index.js'
import type { ServerConfig } from './config.js'
import { describeError, McpErrorCode } from './errors.js'
import type { McpManager, ServerEntry } from './manager.js'
import { fromParams, parseCompletion, type CompletionInput } from './oauth-page.js'
import { McpOAuthProvider, type FlowSecrets, type ProviderDeps } from './oauth-provider.js'
import { deleteStored, storedInfos } from './oauth-store.js'

type FlowStatus = 'pending' | 'completed' | 'failed' | 'expired'

interface FlowRecord extends FlowSecrets {
  flowId: string
  server: string
  serverUrl: string
  status: 'pending' | 'exchanging' | 'completed' | 'failed'
  createdAt: string
  expiresAt: string
  /** From the server's 401 (WWW-Authenticate), so discovery finds metadata kept at a non-standard place. */
  resourceMetadataUrl?: string
  scope?: string
  error?: { code: string; message: string }
}

/** A flow as the API shows it: no state, no verifier. */
export interface OAuthFlowView {
  flowId: string
  server: string
  status: FlowStatus
  createdAt: string
  expiresAt: string
  url?: string
  redirectUrl: string
  error?: { code: string; message: string }
}

type RowView = Pick<CredentialInfo, 'id' | 'hint' | 'status' | 'expiresAt' | 'scopes' | 'updatedAt'>

/** `GET /api/mcp/servers/:name/auth`. */
export interface OAuthStatus {
  server: string
  state: protocol.McpServerStatus['state']
  /** Active tokens are stored for the server's current url. */
  authorized: boolean
  tokens: (RowView & { issuer?: string }) | null
  client: { id: string; clientId: string; issuer?: string; redirectUri?: string; updatedAt: string } | null
  flow: OAuthFlowView | null
}

export interface OAuthFlowsDeps extends ProviderDeps {
  manager: McpManager
  /** How long a started flow waits for its code; finished flows stay readable as long again. */
  flowTtlMs: number
  logger: Logger
}

const oauthError = (code: string, message: string, httpStatus: number, details: Record<string, unknown> = {}) => new PlatformError(code, message, { httpStatus, details })

/**
 * OAuth logins of remote MCP servers, driven through the API like auth-oauth's provider logins:
 * start (discovery, registration, PKCE, the authorization URL) → the browser comes back to
 * `/api/mcp/oauth/callback` (or the address is pasted to `.../auth/complete`) → tokens stored
 * encrypted → the server reconnects. Flows live in this process's memory (the verifier never leaves
 * it) and are dropped after their TTL: the callback must reach the instance that started the flow.
 */
export class McpOAuthFlows {
  readonly #flows = new Map<string, FlowRecord>()

  constructor(private readonly deps: OAuthFlowsDeps) {}

  /** The provider of a connect attempt (plugged into the transports through setAuthProviderFactory). */
  connectProvider(server: ServerConfig): McpOAuthProvider {
    return new McpOAuthProvider(server, this.deps)
  }

  async start(name: string): Promise<OAuthFlowView> {
    const entry = this.#remote(name)
    const config = entry.connection.config
    const redirectUrl = this.deps.redirectUrl()
    if (!redirectUrl) {
      throw oauthError(McpErrorCode.OAUTH_REDIRECT_UNKNOWN, 'This platform has no HTTP address to receive the OAuth callback: enable server-http, or set plugins.mcp-client.oauth.redirectUrl to the address of /api/mcp/oauth/callback.', 409)
    }
    this.#sweep()
    for (const old of this.#flows.values()) if (old.server === name && old.status === 'pending') this.#flows.delete(old.flowId)
    const now = this.deps.now()
    const flow: FlowRecord = {
      flowId: randomBytes(12).toString('base64url'),
      server: name,
      serverUrl: config.url!,
      state: randomBytes(24).toString('base64url'),
      redirectUrl,
      status: 'pending',
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.deps.flowTtlMs).toISOString(),
      ...(await probeChallenge(config)),
    }
    try {
      const provider = new McpOAuthProvider(config, this.deps, flow)
      await auth(provider, {
        serverUrl: flow.serverUrl,
        ...(flow.resourceMetadataUrl ? { resourceMetadataUrl: new URL(flow.resourceMetadataUrl) } : {}),
        ...(flow.scope ? { scope: flow.scope } : {}),
      })
    } catch (error) {
      throw oauthError(McpErrorCode.OAUTH_START_FAILED, `Cannot start the authorization of MCP server "${name}": ${describeError(error)}. Check that the server supports OAuth (metadata discovery and dynamic client registration).`, 502, { server: name })
    }
    if (!flow.url) throw oauthError(McpErrorCode.OAUTH_START_FAILED, `The authorization of MCP server "${name}" gave no authorization URL.`, 502, { server: name })
    this.#flows.set(flow.flowId, flow)
    this.deps.logger.info('mcp oauth flow started', { server: name, flowId: flow.flowId })
    return this.#view(flow)
  }

  /** A pasted code or redirect address, for the server's pending flow. */
  async complete(name: string, input: CompletionInput): Promise<{ flow: OAuthFlowView; server: protocol.McpServerStatus }> {
    this.#remote(name)
    const { code, state } = parseCompletion(input)
    this.#sweep()
    const flow = [...this.#flows.values()].reverse().find((f) => f.server === name && f.status === 'pending')
    if (!flow) throw oauthError(McpErrorCode.OAUTH_FLOW_NOT_FOUND, `MCP server "${name}" has no authorization in progress (none started, or it expired). Start one with POST /api/mcp/servers/${name}/auth/start.`, 404, { server: name })
    if (state !== undefined && state !== flow.state) {
      throw oauthError(McpErrorCode.OAUTH_STATE_MISMATCH, 'The state in that address does not belong to the newest authorization of this server (a stale tab?). Use the address from the newest start.', 400, { server: name })
    }
    const server = await this.#exchange(flow, code)
    return { flow: this.#view(flow), server }
  }

  /** `GET /api/mcp/oauth/callback`: the browser brings the code back; answers the page to show. */
  async callback(query: Record<string, string | undefined>): Promise<{ ok: boolean; status: number; message: string }> {
    this.#sweep()
    const flow = query.state ? [...this.#flows.values()].find((f) => f.state === query.state) : undefined
    if (!flow) return { ok: false, status: 400, message: 'This callback belongs to no authorization in progress (it expired, or was already used). Start the authorization again.' }
    try {
      const { code } = fromParams({ code: query.code, state: query.state, error: query.error, errorDescription: query.error_description })
      const status = await this.#exchange(flow, code)
      return { ok: true, status: 200, message: `MCP server "${flow.server}" is authorized (${status.state}). You can close this tab and return to Agent Platform.` }
    } catch (error) {
      if (flow.status === 'pending') this.#fail(flow, error)
      return { ok: false, status: error instanceof PlatformError ? (error.httpStatus ?? 400) : 400, message: `${describeError(error)}` }
    }
  }

  async status(name: string): Promise<OAuthStatus> {
    const entry = this.#remote(name)
    const url = entry.connection.config.url!
    const { tokens, client } = await storedInfos(this.deps, name)
    this.#sweep()
    const flow = [...this.#flows.values()].reverse().find((f) => f.server === name)
    const str = (value: unknown) => (typeof value === 'string' ? value : undefined)
    return {
      server: name,
      state: entry.connection.state,
      authorized: tokens?.status === 'active' && tokens.meta.url === url,
      tokens: tokens
        ? { id: tokens.id, hint: tokens.hint, status: tokens.status, expiresAt: tokens.expiresAt, scopes: tokens.scopes, updatedAt: tokens.updatedAt, ...(str(tokens.meta.issuer) ? { issuer: str(tokens.meta.issuer) } : {}) }
        : null,
      client: client
        ? { id: client.id, clientId: String(client.meta.clientId), ...(str(client.meta.issuer) ? { issuer: str(client.meta.issuer) } : {}), ...(str(client.meta.redirectUri) ? { redirectUri: str(client.meta.redirectUri) } : {}), updatedAt: client.updatedAt }
        : null,
      flow: flow ? this.#view(flow) : null,
    }
  }

  /** Delete the server's tokens (its client registration stays, for the next login) and reconnect: `needs-auth`. */
  async logout(name: string): Promise<{ server: string; deleted: number; state: protocol.McpServerStatus['state'] }> {
    const entry = this.#remote(name)
    for (const flow of this.#flows.values()) if (flow.server === name) this.#flows.delete(flow.flowId)
    const deleted = await deleteStored(this.deps, name, 'tokens')
    this.deps.logger.info('mcp oauth logout', { server: name, deleted })
    await entry.connection.restart()
    return { server: name, deleted, state: entry.connection.state }
  }

  /** A server removed through the API: its flows and every stored row go too. */
  async forget(name: string): Promise<void> {
    for (const flow of this.#flows.values()) if (flow.server === name) this.#flows.delete(flow.flowId)
    await deleteStored(this.deps, name, 'all')
  }

  async #exchange(flow: FlowRecord, code: string): Promise<protocol.McpServerStatus> {
    if (Date.parse(flow.expiresAt) <= this.deps.now().getTime()) {
      throw oauthError(McpErrorCode.OAUTH_FLOW_EXPIRED, `The authorization of MCP server "${flow.server}" expired at ${flow.expiresAt}. Start it again.`, 410, { server: flow.server })
    }
    if (flow.status !== 'pending') {
      throw oauthError(McpErrorCode.OAUTH_FLOW_NOT_PENDING, `The authorization of MCP server "${flow.server}" is already ${flow.status}; start a new one to authorize again.`, 409, { server: flow.server })
    }
    flow.status = 'exchanging'
    let entry: ServerEntry
    try {
      entry = this.#remote(flow.server)
      if (entry.connection.config.url !== flow.serverUrl) throw oauthError(McpErrorCode.OAUTH_FLOW_NOT_PENDING, `MCP server "${flow.server}" changed its url since the authorization started; start it again.`, 409)
      await auth(new McpOAuthProvider(entry.connection.config, this.deps, flow), {
        serverUrl: flow.serverUrl,
        authorizationCode: code,
        ...(flow.resourceMetadataUrl ? { resourceMetadataUrl: new URL(flow.resourceMetadataUrl) } : {}),
      })
    } catch (error) {
      throw this.#fail(flow, error)
    }
    flow.status = 'completed'
    flow.verifier = undefined
    this.deps.logger.info('mcp oauth flow completed', { server: flow.server, flowId: flow.flowId })
    // The connect attempt reads the stored tokens: connected, or failed/needs-auth with the reason.
    await entry.connection.restart()
    return this.deps.manager.status(entry)
  }

  #fail(flow: FlowRecord, error: unknown): PlatformError {
    const failure =
      error instanceof PlatformError
        ? error
        : error instanceof OAuthError
          ? oauthError(McpErrorCode.OAUTH_EXCHANGE_FAILED, `The authorization server refused the code: ${error.errorCode} (${describeError(error)}). Start the authorization again.`, 400, { server: flow.server })
          : oauthError(McpErrorCode.OAUTH_EXCHANGE_FAILED, `Exchanging the code of MCP server "${flow.server}" failed: ${describeError(error)}. Start the authorization again.`, 502, { server: flow.server })
    flow.status = 'failed'
    flow.verifier = undefined
    flow.error = { code: failure.code, message: failure.message }
    this.deps.logger.warn('mcp oauth flow failed', { server: flow.server, flowId: flow.flowId, code: failure.code })
    return failure
  }

  #remote(name: string): ServerEntry {
    const entry = this.deps.manager.get(name)
    if (entry.connection.config.transport === 'stdio') {
      throw oauthError(McpErrorCode.OAUTH_NOT_REMOTE, `MCP server "${name}" is a stdio server: OAuth applies to http and sse servers only.`, 400, { server: name })
    }
    return entry
  }

  /** Drop flows whose TTL and retention are over (their verifier with them). */
  #sweep(): void {
    const now = this.deps.now().getTime()
    for (const flow of this.#flows.values()) if (Date.parse(flow.expiresAt) + this.deps.flowTtlMs <= now) this.#flows.delete(flow.flowId)
  }

  #view(flow: FlowRecord): OAuthFlowView {
    const expired = flow.status === 'pending' && Date.parse(flow.expiresAt) <= this.deps.now().getTime()
    const status: FlowStatus = expired ? 'expired' : flow.status === 'exchanging' ? 'pending' : flow.status
    return {
      flowId: flow.flowId,
      server: flow.server,
      status,
      createdAt: flow.createdAt,
      expiresAt: flow.expiresAt,
      ...(flow.url && status === 'pending' ? { url: flow.url } : {}),
      redirectUrl: flow.redirectUrl,
      ...(flow.error ? { error: flow.error } : {}),
    }
  }
}

/**
 * Ask the server once without a token and read its WWW-Authenticate challenge (RFC 9728 §5.1):
 * the resource metadata address and the scope it wants. Best effort: discovery falls back to the
 * well-known addresses when the server says nothing.
 */
async function probeChallenge(config: ServerConfig): Promise<{ resourceMetadataUrl?: string; scope?: string }> {
  const initialize = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'agent-platform', version: '0.1.0' } } }
  try {
    const response = await fetch(config.url!, {
      ...(config.transport === 'http'
        ? { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(initialize) }
        : { method: 'GET', headers: { accept: 'text/event-stream' } }),
      signal: AbortSignal.timeout(config.timeouts.initMs),
    })
    await response.body?.cancel().catch(() => undefined)
    if (response.status !== 401) return {}
    const { resourceMetadataUrl, scope } = extractWWWAuthenticateParams(response)
    return { ...(resourceMetadataUrl ? { resourceMetadataUrl: resourceMetadataUrl.href } : {}), ...(scope ? { scope } : {}) }
  } catch {
    return {}
  }
}
