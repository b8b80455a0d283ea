/**
 * The public surface of mcp-client for plugins that list it in dependsOn or optionalDependsOn
 * (import type only). The OAuth flow for remote servers plugs in through `setAuthProviderFactory`.
 */
import type { protocol } from '../../../kernel/index.js'
import type { OAuthFlowView, OAuthStatus } from './oauth-flows.js'
import type { CompletionInput } from './oauth-page.js'
import type { McpServerDetail } from './servers.js'
import type { AuthProviderFactory } from './transports.js'

export type { McpServerDetail } from './servers.js'
export type { AuthProviderFactory } from './transports.js'
export type { ToolSummary } from './routes-tools.js'
export type { OAuthFlowView, OAuthStatus } from './oauth-flows.js'
export type { CompletionInput } from './oauth-page.js'

export interface McpClientService {
  /** Every server with its state and counts. */
  list(): protocol.McpServerStatus[]
  /** One server in detail; throws MCP_SERVER_NOT_FOUND (404). */
  get(name: string): McpServerDetail
  /** Reconnect now (backoff reset); resolves after the attempt with the new status. */
  restart(name: string): Promise<protocol.McpServerStatus>
  /**
   * Give remote (http / sse) servers an SDK OAuthClientProvider, per server; undefined = none.
   * Used from the next connect attempt: restart a server in `needs-auth` after authorizing it.
   */
  setAuthProviderFactory(factory: AuthProviderFactory | undefined): void
  /** OAuth of remote servers, as the `/api/mcp/servers/:name/auth` routes (see README). */
  oauth: {
    start(name: string): Promise<OAuthFlowView>
    complete(name: string, input: CompletionInput): Promise<{ flow: OAuthFlowView; server: protocol.McpServerStatus }>
    status(name: string): Promise<OAuthStatus>
    logout(name: string): Promise<{ server: string; deleted: number; state: protocol.McpServerStatus['state'] }>
  }
}

declare module '../../../kernel/services.js' {
  interface KernelServices {
    mcpClient: McpClientService
  }
}
