import type { PersistencePostgresService, PluginMigration } from '../../persistence/postgres/services.js'
import { agentFieldsSchema } from './config.js'
import type { PersonaDefinition } from './services.js'

export const TABLE = 'agent_persona'
const tableIn = (schema: string) => `"${schema}"."${TABLE}"`

/** agent-personas 0001: agents created through the API (config and file agents are never stored). */
export const AGENT_MIGRATION: PluginMigration = {
  name: 'agent-personas-0001-agent',
  up: (schema) => [
    `create table ${tableIn(schema)} (` +
      `"id" text not null, "name" text null, "description" text not null default '', "system_prompt" text not null, ` +
      `"provider_id" text not null, "model_id" text not null, "tools" jsonb not null, "permissions" jsonb not null default '[]', ` +
      `"created_at" timestamptz not null, constraint "agent_persona_pkey" primary key ("id"))`,
  ],
  down: (schema) => [`drop table if exists ${tableIn(schema)}`],
}

export interface StoredAgent {
  agent: PersonaDefinition
  createdAt: string
}

export interface AgentStore {
  /** Every stored agent, oldest first; rows that no longer validate are returned as problems. */
  load(): Promise<{ agents: StoredAgent[]; invalid: Array<{ id: string; message: string }> }>
  /** Insert; false when a row with the id exists already (another request or server instance). */
  insert(agent: PersonaDefinition, createdAt: string): Promise<boolean>
}

interface Row {
  id: string
  name: string | null
  description: string
  system_prompt: string
  provider_id: string
  model_id: string
  tools: unknown
  permissions: unknown
  created_at: string
}

export function createAgentStore(db: Pick<PersistencePostgresService, 'query' | 'schema'>): AgentStore {
  const table = tableIn(db.schema)
  return {
    async load() {
      const rows = await db.query<Row>(`select * from ${table} order by "created_at", "id"`)
      const agents: StoredAgent[] = []
      const invalid: Array<{ id: string; message: string }> = []
      for (const row of rows) {
        const parsed = agentFieldsSchema.safeParse({
          ...(row.name === null ? {} : { name: row.name }),
          description: row.description, systemPrompt: row.system_prompt, provider: row.provider_id, model: row.model_id,
          tools: row.tools, permissions: row.permissions,
        })
        if (!parsed.success) invalid.push({ id: row.id, message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') })
        else agents.push({ agent: { id: row.id, ...parsed.data }, createdAt: new Date(row.created_at).toISOString() })
      }
      return { agents, invalid }
    },
    async insert(agent, createdAt) {
      const inserted = await db.query(
        `insert into ${table} ("id", "name", "description", "system_prompt", "provider_id", "model_id", "tools", "permissions", "created_at") ` +
          `values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9) on conflict ("id") do nothing returning "id"`,
        [agent.id, agent.name ?? null, agent.description, agent.systemPrompt, agent.provider, agent.model, JSON.stringify(agent.tools), JSON.stringify(agent.permissions), createdAt],
      )
      return inserted.length === 1
    },
  }
}
