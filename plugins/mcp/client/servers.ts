import { PlatformError, Secret, type Logger, type protocol } from '../../../kernel/index.js'
import { toServerConfig, type ApiServerBody, type McpClientOptions, type SecretValue } from './config.js'
import { McpErrorCode, serverExists } from './errors.js'
import type { McpManager, ServerEntry } from './manager.js'
import type { ServerStore } from './store.js'

/** `GET /api/mcp/servers/:name`: the status, the config without secret values, and what the server offers. */
export interface McpServerDetail extends protocol.McpServerStatus {
  config: Record<string, unknown>
  /** Failed attempts in a row and when the next one starts (while failed). */
  attempts: number
  retryAt?: string
  templates: number
  toolNames: Array<{ name: string; mcpName: string }>
  /** The stdio server's process id while connected. */
  pid?: number
}

/** Header and env values are never shown: `{env: NAME}` references by name, everything else as `[redacted]`. */
function redactValues(values: Record<string, SecretValue>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === 'object' && !(v instanceof Secret) ? { env: v.env } : '[redacted]']))
}

export function detailOf(manager: McpManager, entry: ServerEntry): McpServerDetail {
  const c = entry.connection
  const { name: _name, env, headers, ...rest } = c.config
  return {
    ...manager.status(entry),
    config: { ...rest, env: redactValues(env), headers: redactValues(headers) },
    attempts: c.attempts,
    ...(c.retryAt ? { retryAt: c.retryAt.toISOString() } : {}),
    templates: c.listings.templates.length,
    toolNames: entry.tools.entries(),
    ...(c.pid() ? { pid: c.pid()! } : {}),
  }
}

export interface ServersDeps {
  manager: McpManager
  options: McpClientOptions
  /** Null without persistence-postgres: API servers then last until the process stops. */
  store(): ServerStore | null
  now(): Date
  logger: Logger
  /** After a server is removed through the API: forget what is stored for it elsewhere (OAuth rows). */
  onRemoved?(name: string): Promise<void>
}

/** Add a server from `POST /api/mcp/servers`: stored first (the name is claimed), then connected; answers after the first attempt. */
export async function addFromApi(deps: ServersDeps, body: ApiServerBody): Promise<protocol.McpServerStatus> {
  if (body.transport === 'stdio' && !deps.options.allowStdioFromApi) {
    throw new PlatformError(McpErrorCode.STDIO_FROM_API_DISABLED, 'Adding stdio servers through the API is turned off (mcp-client option allowStdioFromApi); declare the server in the config file instead.', {
      httpStatus: 403,
    })
  }
  if (deps.manager.has(body.name)) throw serverExists(body.name)
  const store = deps.store()
  if (store && !(await store.insert(body, deps.now().toISOString()))) throw serverExists(body.name)
  const { name, ...fields } = body
  const entry = deps.manager.add(toServerConfig(name, fields, deps.options.timeouts), 'api')
  await entry.connection.start()
  return deps.manager.status(entry)
}

export async function removeFromApi(deps: ServersDeps, name: string): Promise<void> {
  const entry = deps.manager.get(name)
  if (entry.origin === 'config') {
    throw new PlatformError(McpErrorCode.SERVER_FROM_CONFIG, `The MCP server "${name}" is declared in the config file; remove it there (plugins.mcp-client.servers.${name}) or set enabled: false.`, {
      httpStatus: 409,
      details: { server: name },
    })
  }
  await deps.store()?.remove(name)
  await deps.manager.remove(name)
  await deps.onRemoved?.(name)
}

/** Load the stored servers at boot; a name the config file now uses keeps the config one (warned). */
export async function loadStored(deps: ServersDeps, store: ServerStore): Promise<ServerEntry[]> {
  const { servers, invalid } = await store.load()
  for (const problem of invalid) deps.logger.warn('mcp stored server invalid, not loaded', { server: problem.name, problem: problem.message })
  const entries: ServerEntry[] = []
  for (const { body } of servers) {
    if (deps.manager.has(body.name)) {
      deps.logger.warn('mcp stored server shadowed by the config file, not loaded', { server: body.name })
      continue
    }
    const { name, ...fields } = body
    entries.push(deps.manager.add(toServerConfig(name, fields, deps.options.timeouts), 'api'))
  }
  return entries
}
