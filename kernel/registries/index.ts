import type { CredentialSourceDefinition } from '../auth.js'
import type { AgentConfig } from '../config.js'
import type { ProviderDefinition } from '../provider.js'
import type { ToolDefinition } from '../tool.js'
import { defineRegistry, type Registry } from './define-registry.js'

export { defineRegistry, type Registry } from './define-registry.js'

/** An agent (persona) as the kernel knows it. */
export interface AgentDefinition extends AgentConfig {
  id: string
}

/** Who called a route (server-http fills it; with server-auth off, the local admin). */
export interface RouteCaller {
  userId: string | null
  name: string
  role: 'admin' | 'member'
}

/** An HTTP route contributed by a plugin; server-http mounts every item. */
export interface RouteDefinition {
  id: string
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  path: string
  /** One line for the OpenAPI document. */
  summary?: string
  /** `admin`: members are refused (403 AUTH_FORBIDDEN) when server-auth is on. Default: any caller. */
  access?: 'admin' | 'any'
  /** zod schemas (anything with safeParse) for the parts of the request; `response` documents the success body. */
  schema?: { body?: unknown; params?: unknown; querystring?: unknown; response?: unknown }
  handler(request: { params: Record<string, string>; query: Record<string, unknown>; body: unknown; caller?: RouteCaller }): Promise<{ status?: number; body: unknown; contentType?: string }>
}

/** A CLI command contributed by a plugin: `npm run cli -- <id> [args]` (e.g. `vault-rotate`). */
export interface CommandDefinition {
  id: string
  description: string
  /** Runs after boot; returns the process exit code. Write results to `out`. */
  run(args: string[], io: { out: (line: string) => void }): Promise<number>
}

export interface KernelRegistries {
  providers: Registry<ProviderDefinition>
  agents: Registry<AgentDefinition>
  /** Tools of any input schema (each definition keeps its own zod type). */
  tools: Registry<ToolDefinition<any>>
  routes: Registry<RouteDefinition>
  /** Places credentials come from (config key, key file, vault, env, OAuth), by precedence. */
  credentialSources: Registry<CredentialSourceDefinition>
  commands: Registry<CommandDefinition>
}

export function createRegistries(): KernelRegistries {
  return {
    providers: defineRegistry<ProviderDefinition>('providers', (p) => p.id),
    // Open after boot: agents can be created through the API.
    agents: defineRegistry<AgentDefinition>('agents', (a) => a.id, { alwaysOpen: true }),
    tools: defineRegistry<ToolDefinition<any>>('tools', (t) => t.name, { alwaysOpen: true }),
    routes: defineRegistry<RouteDefinition>('routes', (r) => r.id),
    credentialSources: defineRegistry<CredentialSourceDefinition>('credentialSources', (s) => s.id),
    commands: defineRegistry<CommandDefinition>('commands', (c) => c.id),
  }
}
