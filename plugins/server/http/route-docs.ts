import type { FastifyInstance, RouteHandlerMethod } from 'fastify'
import type { RouteDefinition } from '../../../kernel/index.js'

/** Anything zod: the OpenAPI builder converts it with `z.toJSONSchema`. */
export type Schema = { safeParse(value: unknown): unknown }

/**
 * What the OpenAPI document says about one route. Every route server-http mounts has one, next to its
 * handler, and the handler validates with the very schemas named here, so the document cannot drift
 * from the code. `openapi.test.ts` fails for a mounted route without a doc.
 */
export interface RouteDoc {
  /** The operationId: unique, stable (clients and tests key on it). */
  id: string
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** fastify path syntax (`/api/sessions/:id`). */
  path: string
  summary: string
  tags: string[]
  params?: Schema
  querystring?: Schema
  /** The JSON request body (none when absent). */
  body?: Schema
  /** The body may be left out (e.g. an empty object of defaults, or `{}` on a command without options). */
  bodyOptional?: boolean
  /** Request headers the route reads (`Last-Event-ID`). */
  headers?: Array<{ name: string; description: string; schema: Record<string, unknown> }>
  success: {
    /** `'2XX'` for registry routes, whose handlers pick their own status. */
    status: number | '2XX'
    description: string
    /** The JSON body; omitted for 204 and for non-JSON answers. */
    schema?: Schema
    /** Defaults to application/json. */
    contentType?: string
  }
  /** Error statuses and the codes each one carries (the body is always ApiErrorBody). */
  errors: Record<number, string[]>
  /** Extra `x-` fields for the operation (the SSE frame schema, the WebSocket protocol). */
  extensions?: Record<string, unknown>
}

/** Mount `handler` for `doc`: the method and path come from the doc, so the two are one. */
export function mount(app: FastifyInstance, doc: RouteDoc, handler: RouteHandlerMethod): void {
  app.route({ method: doc.method, url: doc.path, handler })
}

/** A routes-registry item as a doc: its zod schemas, and `schema.response` / `summary` when the plugin gives them. */
export function registryRouteDoc(route: RouteDefinition): RouteDoc {
  const extra = route as RouteDefinition & { summary?: string; schema?: { response?: Schema } }
  const schema = extra.schema ?? {}
  const validates = schema.body !== undefined || schema.params !== undefined || schema.querystring !== undefined
  return {
    id: route.id,
    method: route.method,
    path: route.path,
    summary: extra.summary ?? `${route.method} ${route.path} (${route.id.split('.')[0]} plugin)`,
    tags: [route.id.split('.')[0]],
    params: schema.params as Schema | undefined,
    querystring: schema.querystring as Schema | undefined,
    body: schema.body as Schema | undefined,
    success: { status: '2XX', description: 'The route\'s answer (200 unless the handler sets another status).', schema: schema.response },
    errors: validates ? { 400: ['REQUEST_INVALID', 'REQUEST_BODY_MALFORMED'] } : {},
    extensions: { 'x-route-registry': true, ...(schema.response ? {} : { 'x-response-undocumented': true }) },
  }
}
