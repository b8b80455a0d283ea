import { z } from 'zod'
import { PlatformError, type RouteDefinition } from '../../../kernel/index.js'
import { AGENT_ID, agentFieldsSchema } from './config.js'
import type { Catalog } from './catalog.js'
import { PersonasErrorCode } from './errors.js'
import type { AgentStore } from './store.js'

export const createAgentBody = agentFieldsSchema.extend({
  id: z.string().regex(AGENT_ID, 'an agent id: lowercase letters, digits and dashes, starting with a letter').max(64),
})
const idParams = z.object({ id: z.string().min(1).max(200) }).strict()

/** GET /api/agents, GET /api/agents/:id, POST /api/agents (201; 400 unknown provider or model; 409 taken id). */
export function agentRoutes(catalog: Catalog, store: () => AgentStore | null): RouteDefinition[] {
  return [
    {
      id: 'agent-personas.agents.list',
      method: 'GET',
      path: '/api/agents',
      handler: async () => ({ body: catalog.list() }),
    },
    {
      id: 'agent-personas.agents.get',
      method: 'GET',
      path: '/api/agents/:id',
      schema: { params: idParams },
      handler: async ({ params }) => {
        const agent = catalog.get(params.id)
        if (!agent) {
          throw new PlatformError(PersonasErrorCode.AGENT_NOT_FOUND, `No agent has the id "${params.id}"; list them with GET /api/agents.`, {
            httpStatus: 404,
            details: { id: params.id },
          })
        }
        return { body: agent }
      },
    },
    {
      id: 'agent-personas.agents.create', access: 'admin',
      method: 'POST',
      path: '/api/agents',
      schema: { body: createAgentBody },
      handler: async ({ body }) => ({ status: 201, body: await catalog.create(body as z.output<typeof createAgentBody>, store()) }),
    },
  ]
}
