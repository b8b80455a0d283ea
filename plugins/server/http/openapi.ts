import { z } from 'zod'
import { PlatformError, protocol } from '../../../kernel/index.js'
import type { RouteDoc, Schema } from './route-docs.js'

type JsonSchema = Record<string, unknown>
type Io = 'input' | 'output'

export interface OpenApiDocument {
  openapi: '3.1.0'
  info: { title: string; version: string; description: string }
  jsonSchemaDialect: string
  tags: Array<{ name: string }>
  paths: Record<string, Record<string, OpenApiOperation>>
  components: { schemas: Record<string, JsonSchema> }
}

export interface OpenApiOperation {
  operationId: string
  summary: string
  tags: string[]
  parameters: Array<{ name: string; in: 'path' | 'query' | 'header'; required: boolean; schema: JsonSchema; description?: string }>
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> }
  responses: Record<string, { description: string; content?: Record<string, { schema: JsonSchema }>; 'x-error-codes'?: string[] }>
  [extension: `x-${string}`]: unknown
}

const DIALECT = 'https://json-schema.org/draft/2020-12/schema'
const isZod = (value: unknown): value is z.ZodType => typeof value === 'object' && value !== null && '_zod' in value

/**
 * JSON Schema 2020-12 of a zod schema: `input` for requests (what a client may send, before coercion
 * and defaults), `output` for responses. A schema zod cannot express (a bare safeParse object, a
 * transform's result) becomes `{}` with a note rather than failing the whole document.
 */
export function jsonSchemaOf(schema: Schema | undefined, io: Io): JsonSchema {
  if (!isZod(schema)) return { description: 'Not described: the route gives no zod schema.' }
  try {
    const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema
    return json
  } catch (error) {
    return { description: `Not representable as JSON Schema: ${(error as Error).message}` }
  }
}

/** zod schemas anywhere inside an extension value become JSON Schemas. */
function convertDeep(value: unknown): unknown {
  if (isZod(value)) return jsonSchemaOf(value, 'output')
  if (Array.isArray(value)) return value.map(convertDeep)
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convertDeep(v)]))
  return value
}

/** Every error response body: one shared component. */
export const ERROR_BODY_REF = '#/components/schemas/ApiErrorBody'

function errorResponse(codes: string[], fallback: string) {
  return {
    description: codes.length ? `ApiErrorBody with code ${codes.join(', ')}.` : fallback,
    content: { 'application/json': { schema: { $ref: ERROR_BODY_REF } } },
    ...(codes.length ? { 'x-error-codes': codes } : {}),
  }
}

/** `/api/sessions/:id` -> `/api/sessions/{id}` */
export const openApiPath = (path: string): string => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')

function parameters(doc: RouteDoc): OpenApiOperation['parameters'] {
  const out: OpenApiOperation['parameters'] = []
  const params = jsonSchemaOf(doc.params, 'input')
  const pathProperties = (params.properties ?? {}) as Record<string, JsonSchema>
  for (const match of doc.path.matchAll(/:([A-Za-z0-9_]+)/g)) {
    out.push({ name: match[1], in: 'path', required: true, schema: pathProperties[match[1]] ?? { type: 'string' } })
  }
  if (doc.querystring) {
    const query = jsonSchemaOf(doc.querystring, 'input')
    const required = new Set((query.required ?? []) as string[])
    for (const [name, schema] of Object.entries((query.properties ?? {}) as Record<string, JsonSchema>)) {
      out.push({ name, in: 'query', required: required.has(name), schema })
    }
  }
  for (const header of doc.headers ?? []) out.push({ name: header.name, in: 'header', required: false, schema: header.schema, description: header.description })
  return out
}

function operation(doc: RouteDoc): OpenApiOperation {
  const responses: OpenApiOperation['responses'] = {}
  const { success } = doc
  const contentType = success.contentType ?? 'application/json'
  const successContent =
    success.schema !== undefined
      ? { [contentType]: { schema: jsonSchemaOf(success.schema, 'output') } }
      : contentType !== 'application/json'
        ? { [contentType]: { schema: { type: 'string' } } }
        : success.status === 204 || success.status === 101
          ? undefined
          : { 'application/json': { schema: {} } }
  responses[String(success.status)] = { description: success.description, ...(successContent ? { content: successContent } : {}) }

  const errors: Record<string, string[]> = Object.fromEntries(Object.entries(doc.errors).map(([status, codes]) => [status, [...codes]]))
  if (doc.body) {
    errors[400] = [...new Set([...(errors[400] ?? []), 'REQUEST_INVALID', 'REQUEST_BODY_MALFORMED'])]
    errors[413] = ['REQUEST_BODY_TOO_LARGE']
    errors[415] = ['REQUEST_MEDIA_TYPE_UNSUPPORTED']
  }
  for (const [status, codes] of Object.entries(errors)) responses[status] = errorResponse(codes, 'ApiErrorBody.')
  if (doc.extensions?.['x-route-registry']) responses['4XX'] = errorResponse([], 'ApiErrorBody: whatever PlatformError the plugin throws.')
  responses['5XX'] = errorResponse(['INTERNAL_ERROR', 'SERVER_HTTP_CLOSING'], 'ApiErrorBody.')

  const extensions = Object.fromEntries(Object.entries(doc.extensions ?? {}).map(([key, value]) => [key, convertDeep(value)]))
  return {
    operationId: doc.id,
    summary: doc.summary,
    tags: doc.tags,
    parameters: parameters(doc),
    ...(doc.body ? { requestBody: { required: !doc.bodyOptional, content: { 'application/json': { schema: jsonSchemaOf(doc.body, 'input') } } } } : {}),
    responses,
    ...extensions,
  }
}

/** The OpenAPI 3.1 document of every documented route (server-http's own and the routes registry's). */
export function buildOpenApi(input: { version: string; docs: RouteDoc[] }): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {}
  const ids = new Set<string>()
  for (const doc of input.docs) {
    const path = openApiPath(doc.path)
    const method = doc.method.toLowerCase()
    if (ids.has(doc.id) || paths[path]?.[method]) {
      throw new PlatformError('SERVER_HTTP_ROUTE_CONFLICT', `Two routes are documented as "${doc.id}" or ${doc.method} ${doc.path}; give each route its own id and path.`, {
        details: { id: doc.id, method: doc.method, path: doc.path },
      })
    }
    ids.add(doc.id)
    paths[path] = { ...paths[path], [method]: operation(doc) }
  }
  const tags = [...new Set(input.docs.flatMap((doc) => doc.tags))].sort().map((name) => ({ name }))
  return {
    openapi: '3.1.0',
    info: {
      title: 'Agent Platform API',
      version: input.version,
      description: 'REST commands, SSE and WebSocket event streams. Every error response is ApiErrorBody `{error: {code, message, details?}}`.',
    },
    jsonSchemaDialect: DIALECT,
    tags,
    paths,
    components: { schemas: { ApiErrorBody: jsonSchemaOf(protocol.apiErrorBodySchema, 'output') } },
  }
}

/** Mounted routes with no doc (`METHOD path`): must be empty, or the document lies by omission. */
export function undocumentedRoutes(mounted: Array<{ method: string; url: string }>, docs: RouteDoc[]): string[] {
  const documented = new Set(docs.map((doc) => `${doc.method} ${doc.path}`))
  return mounted.map((route) => `${route.method} ${route.url}`).filter((key) => !documented.has(key))
}
