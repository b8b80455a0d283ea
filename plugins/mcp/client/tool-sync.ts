import type { Tool } from '@modelcontextprotocol/sdk/types.js'
import type { Logger, Registry, ToolDefinition } from '../../../kernel/index.js'
import type { McpConnection } from './connection.js'
import { describeError } from './errors.js'
import { kernelToolName, PROVIDER_SAFE_NAME, selected, toKernelTool } from './tools.js'

interface Registered {
  dispose: () => void
  /** Description, schema and annotations as JSON: a change re-registers the tool. */
  signature: string
  mcpName: string
}

/**
 * Keeps one server's tools in the kernel tools registry equal to its latest listing (after the
 * include / exclude filters). Tools stay registered while the server reconnects, so a crash does not
 * churn every session's tool list; a call then fails with MCP_SERVER_UNAVAILABLE.
 */
export class ToolSync {
  readonly #registered = new Map<string, Registered>()
  readonly #warned = new Set<string>()

  constructor(
    private readonly connection: McpConnection,
    private readonly tools: Registry<ToolDefinition<any>>,
    private readonly logger: Logger,
  ) {}

  /** Kernel names of the tools registered now, with the server's own names. */
  entries(): Array<{ name: string; mcpName: string }> {
    return [...this.#registered].map(([name, r]) => ({ name, mcpName: r.mcpName }))
  }

  get size(): number {
    return this.#registered.size
  }

  /** Apply the connection's current tool listing; returns what changed. */
  sync(): { added: string[]; removed: string[] } {
    const wanted = new Map<string, { tool: Tool; signature: string }>()
    for (const tool of this.connection.listings.tools) {
      if (!selected(tool.name, this.connection.config)) continue
      const name = kernelToolName(this.connection.name, tool.name)
      if (!PROVIDER_SAFE_NAME.test(name)) {
        this.#warnOnce(name, `skipped: "${name}" is not a name every model provider accepts (${PROVIDER_SAFE_NAME}); exclude it or use a shorter server name`)
        continue
      }
      wanted.set(name, { tool, signature: JSON.stringify([tool.description, tool.inputSchema, tool.annotations, tool.title]) })
    }
    const added: string[] = []
    const removed: string[] = []
    const changed = new Set<string>()
    for (const [name, current] of this.#registered) {
      const next = wanted.get(name)
      if (next && next.signature === current.signature) continue
      current.dispose()
      this.#registered.delete(name)
      if (next) changed.add(name)
      else removed.push(name)
    }
    for (const [name, { tool, signature }] of wanted) {
      if (this.#registered.has(name)) continue
      try {
        const dispose = this.tools.add(toKernelTool(this.connection, tool, { logger: this.logger }))
        this.#registered.set(name, { dispose, signature, mcpName: tool.name })
        added.push(name)
      } catch (error) {
        this.#warnOnce(name, `skipped: ${describeError(error)}`)
      }
    }
    // A re-registered tool (changed schema) is neither added nor removed for listeners: it is still there.
    return { added: added.filter((name) => !changed.has(name)), removed }
  }

  /** Remove every tool of the server (server removed or shut down). */
  clear(): string[] {
    const names = [...this.#registered.keys()]
    for (const registered of this.#registered.values()) registered.dispose()
    this.#registered.clear()
    return names
  }

  #warnOnce(name: string, message: string): void {
    if (this.#warned.has(name)) return
    this.#warned.add(name)
    this.logger.warn(`mcp tool ${name} ${message}`, { server: this.connection.name })
  }
}
