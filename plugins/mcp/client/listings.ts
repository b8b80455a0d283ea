import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js'

/** What a server offers, as last listed. */
export interface Listings {
  tools: Tool[]
  prompts: Prompt[]
  resources: Resource[]
  templates: ResourceTemplate[]
}

export type ListKind = 'tools' | 'prompts' | 'resources'

export const emptyListings = (): Listings => ({ tools: [], prompts: [], resources: [], templates: [] })

/** Stop paging after this many pages: a server that keeps returning cursors must not hang a connect. */
const MAX_PAGES = 50

async function allPages<T>(fetchPage: (cursor?: string) => Promise<{ nextCursor?: string } & Record<string, unknown>>, key: string): Promise<T[]> {
  const items: T[] = []
  let cursor: string | undefined
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await fetchPage(cursor)
    items.push(...((result[key] as T[] | undefined) ?? []))
    cursor = result.nextCursor
    if (!cursor) break
  }
  return items
}

/** List one kind (resources include the templates); kinds the server does not offer are empty. */
export async function listKind(client: Client, kind: ListKind, timeout: number): Promise<Partial<Listings>> {
  const caps = client.getServerCapabilities() ?? {}
  const options = { timeout }
  if (kind === 'tools') return { tools: caps.tools ? await allPages<Tool>((cursor) => client.listTools(cursor ? { cursor } : undefined, options), 'tools') : [] }
  if (kind === 'prompts') return { prompts: caps.prompts ? await allPages<Prompt>((cursor) => client.listPrompts(cursor ? { cursor } : undefined, options), 'prompts') : [] }
  if (!caps.resources) return { resources: [], templates: [] }
  const [resources, templates] = await Promise.all([
    allPages<Resource>((cursor) => client.listResources(cursor ? { cursor } : undefined, options), 'resources'),
    allPages<ResourceTemplate>((cursor) => client.listResourceTemplates(cursor ? { cursor } : undefined, options), 'resourceTemplates'),
  ])
  return { resources, templates }
}

export async function listEverything(client: Client, timeout: number): Promise<Listings> {
  const parts = await Promise.all((['tools', 'prompts', 'resources'] as const).map((kind) => listKind(client, kind, timeout)))
  return Object.assign(emptyListings(), ...parts)
}
