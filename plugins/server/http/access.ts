import type { FastifyInstance, FastifyRequest } from 'fastify'
import { KernelErrorCode, PlatformError, type SessionStore } from '../../../kernel/index.js'

/** Who sends a request: a user of an API token, the bootstrap token, or the local admin (loopback, no token). */
export interface Caller {
  userId: string | null
  name: string
  role: 'admin' | 'member'
  tokenId: string | null
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller
  }
}

export const LOCAL_CALLER: Caller = Object.freeze({ userId: null, name: 'local', role: 'admin', tokenId: null })

export interface AccessDeps {
  /** server-auth's authenticate(), when that plugin is enabled. */
  authenticate?: (request: { authorization?: string; tokensRequired: boolean }) => Promise<Caller>
  /** The server listens beyond loopback: every caller needs a token. */
  tokensRequired: boolean
  sessionStore: SessionStore
}

/** Routes that answer without a caller: liveness, and the OAuth redirect a browser lands on (checked by its state). */
const PUBLIC = new Set(['/health', '/api/mcp/oauth/callback'])

/** The token of a request: `Authorization: Bearer`, or `access_token` in the query for EventSource and WebSocket (no headers there). */
function authorizationOf(request: FastifyRequest): string | undefined {
  if (request.headers.authorization) return request.headers.authorization
  const token = (request.query as Record<string, unknown> | undefined)?.access_token
  return typeof token === 'string' && token !== '' ? `Bearer ${token}` : undefined
}

/**
 * Who may do what. Every request gets `request.caller`; a member reaches only the sessions they own
 * (others are 404, as if absent), and plugin routes marked `access: 'admin'` refuse members (403).
 */
export function installAccess(app: FastifyInstance, deps: AccessDeps): void {
  app.decorateRequest('caller', null as unknown as Caller)
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0]
    if (PUBLIC.has(path)) {
      request.caller = LOCAL_CALLER
      return
    }
    request.caller = deps.authenticate ? await deps.authenticate({ authorization: authorizationOf(request), tokensRequired: deps.tokensRequired }) : LOCAL_CALLER
  })
  app.addHook('preHandler', async (request) => {
    const url = request.routeOptions.url ?? ''
    if (request.caller.role === 'admin') return
    if (url.startsWith('/api/sessions/:id')) await assertSessionAccess(deps.sessionStore, request.caller, (request.params as { id?: string }).id ?? '')
  })
}

/** A member may reach only their own sessions; anything else looks like a missing session. */
export async function assertSessionAccess(store: SessionStore, caller: Caller, sessionId: string): Promise<void> {
  if (caller.role === 'admin') return
  const session = await store.getSession(sessionId)
  if (!session || session.ownerId !== caller.userId) {
    throw new PlatformError(KernelErrorCode.SESSION_NOT_FOUND, `No session with id "${sessionId}".`, { httpStatus: 404, details: { id: sessionId } })
  }
}
