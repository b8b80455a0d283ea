import { matchesGlob } from '../permission-rules.js'
import type { KernelRegistries } from '../registries/index.js'
import type { ToolDefinition } from '../tool.js'

/** Whether a tool-set entry is a pattern (`*`, `everything__*`) rather than one tool's name. */
export const isToolPattern = (entry: string): boolean => /[*?]/.test(entry)

/**
 * A session's tool set is a list of tool names and globs: `['*']` follows every tool registered now
 * or later (an MCP server added at runtime), `['read_file', 'everything__*']` names some. Returns the
 * registered tools it covers, in registry order.
 */
export function expandToolSet(entries: readonly string[], registries: Pick<KernelRegistries, 'tools'>): ToolDefinition[] {
  return registries.tools.list().filter((tool) => entries.some((entry) => entry === tool.name || (isToolPattern(entry) && matchesGlob(tool.name, entry))))
}

/** Whether the tool set covers `name`. */
export function toolSetCovers(entries: readonly string[], name: string): boolean {
  return entries.some((entry) => entry === name || (isToolPattern(entry) && matchesGlob(name, entry)))
}
