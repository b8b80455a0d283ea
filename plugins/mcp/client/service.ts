import type { McpManager } from './manager.js'
import type { McpOAuthFlows } from './oauth-flows.js'
import { CALLBACK_PATH } from './oauth-routes.js'
import { detailOf } from './servers.js'
import type { McpClientService } from './services.js'

/** The `mcpClient` service over the manager and the OAuth flows. */
export function createService(manager: McpManager, oauth: McpOAuthFlows): McpClientService {
  return {
    list: () => manager.list().map((entry) => manager.status(entry)),
    get: (name) => detailOf(manager, manager.get(name)),
    async restart(name) {
      const entry = manager.get(name)
      await entry.connection.restart()
      return manager.status(entry)
    },
    setAuthProviderFactory: (factory) => manager.setAuthProviderFactory(factory),
    oauth: {
      start: (name) => oauth.start(name),
      complete: (name, input) => oauth.complete(name, input),
      status: (name) => oauth.status(name),
      logout: (name) => oauth.logout(name),
    },
  }
}

/** `http://127.0.0.1:8080` → its callback URL; a wildcard bind is reached through loopback. */
export function callbackUrl(address: string | undefined): string | undefined {
  if (!address) return undefined
  const url = new URL(CALLBACK_PATH, address)
  if (url.hostname === '0.0.0.0') url.hostname = '127.0.0.1'
  if (url.hostname === '[::]') url.hostname = '[::1]'
  return url.href
}
