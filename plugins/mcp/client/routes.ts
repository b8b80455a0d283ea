import { z } from 'zod'
import type { RouteDefinition } from '../../../kernel/index.js'
import { apiServerSchema, serverNameSchema, type ApiServerBody } from './config.js'
import { addFromApi, detailOf, removeFromApi, type ServersDeps } from './servers.js'

const nameParams = z.object({ name: serverNameSchema }).strict()
const BASE = '/api/mcp/servers'

/** Servers: list, add, detail, remove, restart (see README for answers and error codes). */
export function serverRoutes(deps: ServersDeps): RouteDefinition[] {
  const { manager } = deps
  return [
    {
      id: 'mcp-client.servers.list',
      method: 'GET',
      path: BASE,
      handler: async () => ({ body: manager.list().map((entry) => manager.status(entry)) }),
    },
    {
      id: 'mcp-client.servers.create',
      access: 'admin',
      method: 'POST',
      path: BASE,
      schema: { body: apiServerSchema },
      handler: async ({ body }) => ({ status: 201, body: await addFromApi(deps, body as ApiServerBody) }),
    },
    {
      id: 'mcp-client.servers.get',
      method: 'GET',
      path: `${BASE}/:name`,
      schema: { params: nameParams },
      handler: async ({ params }) => ({ body: detailOf(manager, manager.get(params.name)) }),
    },
    {
      id: 'mcp-client.servers.delete',
      access: 'admin',
      method: 'DELETE',
      path: `${BASE}/:name`,
      schema: { params: nameParams },
      handler: async ({ params }) => {
        await removeFromApi(deps, params.name)
        return { status: 204, body: undefined }
      },
    },
    {
      id: 'mcp-client.servers.restart',
      access: 'admin',
      method: 'POST',
      path: `${BASE}/:name/restart`,
      schema: { params: nameParams },
      handler: async ({ params }) => {
        const entry = manager.get(params.name)
        await entry.connection.restart()
        return { body: manager.status(entry) }
      },
    },
  ]
}
