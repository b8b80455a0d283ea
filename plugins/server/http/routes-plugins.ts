import { LOCAL_CALLER } from './access.js'
import type { FastifyInstance } from 'fastify'
import { PlatformError, type RouteDefinition } from '../../../kernel/index.js'
import { HttpErrorCode, parsePart, type RequestPart, type SafeParser } from './errors.js'

function hasSafeParse(schema: unknown): schema is SafeParser {
  return typeof (schema as SafeParser | undefined)?.safeParse === 'function'
}

function validated(schema: unknown, value: unknown, part: RequestPart): unknown {
  return hasSafeParse(schema) ? parsePart(schema, value, part) : value
}

/** Mount every item of the kernel's routes registry, validating body, params and querystring with their zod schemas. */
export function mountPluginRoutes(app: FastifyInstance, routes: RouteDefinition[]): void {
  for (const route of routes) {
    for (const [part, schema] of Object.entries(route.schema ?? {})) {
      if (schema !== undefined && !hasSafeParse(schema)) {
        throw new PlatformError(HttpErrorCode.ROUTE_INVALID, `Route "${route.id}" has a ${part} schema without safeParse; give it a zod schema.`, {
          details: { route: route.id, part },
        })
      }
    }
    try {
      app.route({
        method: route.method,
        url: route.path,
        handler: async (request, reply) => {
          const caller = request.caller ?? LOCAL_CALLER
          if (route.access === 'admin' && caller.role !== 'admin') {
            throw new PlatformError('AUTH_FORBIDDEN', `${route.method} ${route.path} is for admins; ask an admin, or use an admin token.`, { httpStatus: 403 })
          }
          const params = validated(route.schema?.params, request.params ?? {}, 'params') as Record<string, string>
          // access_token (the token of clients that cannot send headers) is not part of any route's query.
          const { access_token: _token, ...rawQuery } = (request.query ?? {}) as Record<string, unknown>
          const query = validated(route.schema?.querystring, rawQuery, 'querystring') as Record<string, unknown>
          const body = validated(route.schema?.body, request.body, 'body')
          // A handler may answer something other than JSON (Prometheus text) by naming its content type.
          const result: { status?: number; body: unknown; contentType?: string } = await route.handler({ params, query, body, caller: { userId: caller.userId, name: caller.name, role: caller.role } })
          if (result.contentType) void reply.type(result.contentType)
          return reply.code(result.status ?? 200).send(result.body)
        },
      })
    } catch (error) {
      throw new PlatformError(
        HttpErrorCode.ROUTE_CONFLICT,
        `Cannot mount route "${route.id}" (${route.method} ${route.path}): ${(error as Error).message}. Give it a path no other route uses.`,
        { cause: error, details: { route: route.id, method: route.method, path: route.path } },
      )
    }
  }
}
