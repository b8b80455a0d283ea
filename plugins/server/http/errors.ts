import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import { isPlatformError, PlatformError, type Logger, type protocol } from '../../../kernel/index.js'

/** Error codes this plugin answers with (besides the PlatformErrors other parts of the platform throw). */
export const HttpErrorCode = {
  REQUEST_INVALID: 'REQUEST_INVALID',
  REQUEST_BODY_MALFORMED: 'REQUEST_BODY_MALFORMED',
  REQUEST_BODY_TOO_LARGE: 'REQUEST_BODY_TOO_LARGE',
  REQUEST_MEDIA_TYPE_UNSUPPORTED: 'REQUEST_MEDIA_TYPE_UNSUPPORTED',
  REQUEST_URL_INVALID: 'REQUEST_URL_INVALID',
  REQUEST_URL_TOO_LONG: 'REQUEST_URL_TOO_LONG',
  REQUEST_UPGRADE_REQUIRED: 'REQUEST_UPGRADE_REQUIRED',
  ROUTE_NOT_FOUND: 'ROUTE_NOT_FOUND',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
  PORT_INVALID: 'SERVER_HTTP_PORT_INVALID',
  LISTEN_FAILED: 'SERVER_HTTP_LISTEN_FAILED',
  ROUTE_CONFLICT: 'SERVER_HTTP_ROUTE_CONFLICT',
  ROUTE_INVALID: 'SERVER_HTTP_ROUTE_INVALID',
  CLOSING: 'SERVER_HTTP_CLOSING',
} as const

/** Anything with zod's `safeParse` (the routes registry types schemas as unknown). */
export interface SafeParser<T = unknown> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: ZodLikeIssue[] } }
}
interface ZodLikeIssue {
  path: PropertyKey[]
  message: string
  code?: string
  keys?: string[]
}

export type RequestPart = 'body' | 'params' | 'querystring' | 'headers'

export interface FieldIssue {
  location: RequestPart
  path: string
  message: string
  code?: string
}

function flatten(part: RequestPart, issues: ZodLikeIssue[]): FieldIssue[] {
  return issues.flatMap((issue) => {
    const base = issue.path.map(String).join('.')
    if (issue.code === 'unrecognized_keys' && issue.keys?.length) {
      return issue.keys.map((key) => ({ location: part, path: base ? `${base}.${key}` : key, message: 'unknown field', code: issue.code }))
    }
    return [{ location: part, path: base, message: issue.message, code: issue.code }]
  })
}

/** A 400 REQUEST_INVALID whose message names every bad field. */
export function invalidRequest(issues: FieldIssue[]): PlatformError {
  const listed = issues.map((i) => `${[i.location, i.path].filter(Boolean).join('.')}: ${i.message}`).join('; ')
  return new PlatformError(HttpErrorCode.REQUEST_INVALID, `The request is invalid: ${listed}. Fix these fields and send it again.`, {
    httpStatus: 400,
    details: { issues },
  })
}

/** Validate one part of a request with a zod schema; throws REQUEST_INVALID. */
export function parsePart<T>(schema: SafeParser<T>, value: unknown, part: RequestPart): T {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  throw invalidRequest(flatten(part, result.error.issues))
}

const FASTIFY_CODES: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: HttpErrorCode.REQUEST_BODY_MALFORMED, message: 'The request body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: HttpErrorCode.REQUEST_BODY_MALFORMED, message: 'The request body is empty but declared as JSON.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: HttpErrorCode.REQUEST_BODY_MALFORMED, message: 'The request body does not match its Content-Length.' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: HttpErrorCode.REQUEST_BODY_TOO_LARGE, message: 'The request body is larger than the server accepts.' },
  FST_ERR_BAD_URL: { status: 400, code: HttpErrorCode.REQUEST_URL_INVALID, message: 'The URL is not valid: a path segment has a bad percent-encoding.' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: HttpErrorCode.REQUEST_URL_TOO_LONG, message: 'A path parameter is too long (100 characters at most).' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: HttpErrorCode.REQUEST_MEDIA_TYPE_UNSUPPORTED, message: 'Send the request body as application/json.' },
}

/** The status and JSON body for any error; `internal` is true when the real cause must only be logged. */
export function errorReply(error: unknown, bodyLimitBytes: number): { status: number; body: protocol.ApiErrorBody; internal: boolean } {
  if (isPlatformError(error)) {
    return { status: error.httpStatus, body: { error: error.toJSON() }, internal: error.httpStatus >= 500 }
  }
  const code = (error as { code?: unknown } | null)?.code
  const known = typeof code === 'string' ? FASTIFY_CODES[code] : undefined
  if (known) {
    const message = known.status === 413 ? `${known.message} The limit is ${bodyLimitBytes} bytes.` : known.message
    return { status: known.status, body: { error: { code: known.code, message } }, internal: false }
  }
  const status = (error as { statusCode?: unknown } | null)?.statusCode
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: { error: { code: HttpErrorCode.REQUEST_INVALID, message: (error as Error).message } }, internal: false }
  }
  return { status: 500, body: { error: { code: HttpErrorCode.INTERNAL_ERROR, message: 'The server hit an unexpected error; it has been logged.' } }, internal: true }
}

/** fastify's `frameworkErrors` option: bad URLs found by the router get the same JSON error body as everything else. */
export function frameworkErrorHandler(bodyLimitBytes: number) {
  return (error: FastifyError, _request: unknown, reply: FastifyReply) => {
    const { status, body } = errorReply(error, bodyLimitBytes)
    void reply.code(status).type('application/json; charset=utf-8').send(body)
  }
}

/** One error handler and one not-found handler: every error response is `{error: {code, message, details?}}`. */
export function installErrorHandlers(app: FastifyInstance, deps: { logger: Logger; bodyLimitBytes: number }): void {
  app.setErrorHandler((error: unknown, request, reply) => {
    const { status, body, internal } = errorReply(error, deps.bodyLimitBytes)
    if (internal) {
      deps.logger.error('request failed', {
        method: request.method,
        url: request.url,
        code: body.error.code,
        error: error instanceof Error ? error.message : String(error),
        stack: error instanceof Error ? error.stack : undefined,
      })
    }
    void reply.code(status).type('application/json; charset=utf-8').send(body)
  })
  app.setNotFoundHandler((request, reply) => {
    const body: protocol.ApiErrorBody = {
      error: { code: HttpErrorCode.ROUTE_NOT_FOUND, message: `No route for ${request.method} ${request.url.split('?')[0]}.`, details: { method: request.method } },
    }
    void reply.code(404).send(body)
  })
}
