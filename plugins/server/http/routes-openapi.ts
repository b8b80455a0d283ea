import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { RouteDefinition } from '../../../kernel/index.js'
import { buildOpenApi, type OpenApiDocument } from './openapi.js'
import { mount, registryRouteDoc, type RouteDoc } from './route-docs.js'
import { conversationRouteDocs } from './routes-conversation.js'
import { eventRouteDocs } from './routes-events.js'
import { sessionRouteDocs } from './routes-sessions.js'
import { toolRouteDocs } from './routes-tools.js'
import { wsRouteDocs } from './routes-ws.js'

export const openApiRouteDocs = {
  document: {
    id: 'openapi', method: 'GET', path: '/api/openapi.json', tags: ['server'], summary: 'This API as an OpenAPI 3.1 document (JSON Schema 2020-12).',
    success: {
      status: 200,
      description: 'The document.',
      schema: z.object({ openapi: z.literal('3.1.0'), info: z.object({ title: z.string(), version: z.string() }).loose(), paths: z.record(z.string(), z.unknown()) }).loose(),
    },
    errors: {},
  },
} satisfies Record<string, RouteDoc>

/** Docs of every route server-http mounts itself. */
export function builtinRouteDocs(): RouteDoc[] {
  return [
    ...Object.values(sessionRouteDocs),
    ...Object.values(eventRouteDocs),
    ...Object.values(toolRouteDocs),
    ...Object.values(conversationRouteDocs),
    ...Object.values(wsRouteDocs),
    ...Object.values(openApiRouteDocs),
  ]
}

/** Docs of every route: server-http's own, then each routes-registry item. */
export function allRouteDocs(registryRoutes: RouteDefinition[]): RouteDoc[] {
  return [...builtinRouteDocs(), ...registryRoutes.map(registryRouteDoc)]
}

/** `GET /api/openapi.json`, built on first request (the registry is frozen by then) and kept. */
export function registerOpenApiRoute(app: FastifyInstance, deps: { version: string; registryRoutes: () => RouteDefinition[] }): void {
  let document: OpenApiDocument | undefined
  mount(app, openApiRouteDocs.document, async () => (document ??= buildOpenApi({ version: deps.version, docs: allRouteDocs(deps.registryRoutes()) })))
}
