import { fileURLToPath } from 'node:url'
import t from 'tap'
import { z } from 'zod'
import { createTestKernel } from '../../../kernel/testing/index.js'
import { buildOpenApi, jsonSchemaOf, openApiPath, undocumentedRoutes, type OpenApiDocument } from './openapi.js'
import type { RouteDoc } from './route-docs.js'
import { allRouteDocs, builtinRouteDocs } from './routes-openapi.js'
import type { ServerHttpService } from './services.js'

const FIXTURE = fileURLToPath(new URL('./fixtures/routes-plugin.ts', import.meta.url))

t.test('GET /api/openapi.json: 3.1.0, JSON Schema 2020-12, every mounted route documented, registry routes included', async (t) => {
  const tk = await createTestKernel({ plugins: { 'provider-scripted': { chunkDelayMs: 0 }, 'server-http': { port: 0 }, 'fixture-routes': { resolve: FIXTURE } } })
  t.teardown(tk.close)
  const response = await fetch(`${tk.kernel.addresses[0]}/api/openapi.json`)
  t.equal(response.status, 200)
  const doc = (await response.json()) as OpenApiDocument
  t.equal(doc.openapi, '3.1.0')
  t.equal(doc.jsonSchemaDialect, 'https://json-schema.org/draft/2020-12/schema')
  t.match(doc.info, { title: 'Agent Platform API', version: String })

  const service = tk.kernel.resolve<ServerHttpService>('serverHttp')
  const mounted = service.mountedRoutes()
  t.ok(mounted.length >= builtinRouteDocs().length)
  const registry = tk.kernel.registries.routes.list()
  t.same(undocumentedRoutes(mounted, allRouteDocs(registry)), [], 'every mounted route has a doc')
  for (const { method, url } of mounted) t.ok(doc.paths[openApiPath(url)]?.[method.toLowerCase()], `${method} ${url} is in the document`)

  const echo = doc.paths['/api/fixture/echo/{name}'].post
  t.equal(echo.operationId, 'fixture.echo')
  t.match(echo.parameters, [{ name: 'name', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z]+$' } }, { name: 'times', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 3, default: 1 } }])
  t.match(echo.requestBody, { required: true, content: { 'application/json': { schema: { type: 'object', required: ['word'], additionalProperties: false } } } })
  t.ok(echo['x-response-undocumented'], 'a registry route without a response schema says so')
  t.same(echo.responses['400'].content?.['application/json'].schema, { $ref: '#/components/schemas/ApiErrorBody' })

  const create = doc.paths['/api/sessions'].post
  t.equal(create.requestBody?.required, false, 'an empty body is fine')
  t.match(create.responses['201'].content?.['application/json'].schema, { type: 'object', required: Array, properties: { id: { type: 'string' }, status: { enum: Array } } })
  t.match(create.responses['400'], { 'x-error-codes': ['REQUEST_INVALID', 'SESSION_AGENT_UNKNOWN'] })
  t.notOk(JSON.stringify(doc).includes('"$schema"'), 'one dialect for the document, none per schema')
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      t.ok(Object.keys(op.responses).some((status) => status.startsWith('2') || status === '101'), `${method} ${path}: a success response`)
      t.ok(op.responses['5XX'], `${method} ${path}: the error body for 5xx`)
      if (op.requestBody) t.ok(op.responses['400'], `${method} ${path}: the error body for 400`)
    }
  }
})

t.test('a mounted route without a doc is reported; duplicate docs are refused', async (t) => {
  const docs = builtinRouteDocs()
  const mounted = docs.map((doc) => ({ method: doc.method, url: doc.path }))
  t.same(undocumentedRoutes(mounted, docs), [])
  t.same(undocumentedRoutes([...mounted, { method: 'GET', url: '/api/secret' }], docs), ['GET /api/secret'])
  t.throws(() => buildOpenApi({ version: '1', docs: [...docs, { ...docs[0], path: '/other' }] }), { code: 'SERVER_HTTP_ROUTE_CONFLICT' })
})

t.test('zod to JSON Schema: input for requests (before coercion and defaults), output for responses', async (t) => {
  const schema = z.object({ n: z.coerce.number().int().default(2), s: z.string().transform((v) => v.length) })
  t.match(jsonSchemaOf(schema, 'input'), { properties: { n: { type: 'integer', default: 2 }, s: { type: 'string' } } })
  t.same(jsonSchemaOf({ safeParse: () => ({ success: true }) }, 'input'), { description: 'Not described: the route gives no zod schema.' })
  const doc: RouteDoc = { id: 'x', method: 'GET', path: '/x/:a/:b', tags: [], summary: 's', params: z.object({ a: z.string().uuid() }), success: { status: 200, description: 'd' }, errors: {} }
  const op = buildOpenApi({ version: '1', docs: [doc] }).paths['/x/{a}/{b}'].get
  t.match(op.parameters, [{ name: 'a', schema: { format: 'uuid' } }, { name: 'b', schema: { type: 'string' } }], 'path params missing from the schema are still listed')
})
