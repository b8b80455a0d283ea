import type { Registry, RouteDefinition, ToolDefinition, ToolKind } from '../../../kernel/index.js'
import type { McpManager } from './manager.js'

/** An item of `GET /api/tools`. */
export interface ToolSummary {
  name: string
  kind: ToolKind
  description: string
  /** `mcp` for tools of an MCP server (named in `server`), `plugin` for tools a plugin registered. */
  source: 'mcp' | 'plugin'
  server?: string
}

/**
 * GET /api/tools: every tool in the kernel registry, sorted by name. It lives here because MCP is
 * what makes the list change at runtime; the registry does not record which plugin added a tool.
 */
export function toolsRoute(tools: Registry<ToolDefinition<any>>, manager: McpManager): RouteDefinition {
  return {
    id: 'mcp-client.tools.list',
    method: 'GET',
    path: '/api/tools',
    handler: async () => {
      const serverOf = new Map<string, string>()
      for (const entry of manager.list()) for (const { name } of entry.tools.entries()) serverOf.set(name, entry.connection.name)
      const body: ToolSummary[] = tools
        .list()
        .map((tool) => {
          const server = serverOf.get(tool.name)
          return { name: tool.name, kind: tool.kind, description: tool.description, source: server ? ('mcp' as const) : ('plugin' as const), ...(server ? { server } : {}) }
        })
        .sort((a, b) => a.name.localeCompare(b.name))
      return { body }
    },
  }
}
