import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { KernelErrorCode, PlatformError, protocol, type SessionEngine, type SessionStore } from '../../../kernel/index.js'
import { parsePart } from './errors.js'

export interface SessionRouteDeps {
  engine: SessionEngine
  sessionStore: SessionStore
  version: string
}

const idParams = z.object({ id: z.string().min(1) }).strict()
const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).optional() })

const sessionPath = (suffix = '') => `${protocol.ApiPaths.sessions}/:id${suffix}`

/** `GET /health` and the session commands: create, list, get, post a message, abort. */
export function registerSessionRoutes(app: FastifyInstance, deps: SessionRouteDeps): void {
  const { engine } = deps

  app.get(protocol.ApiPaths.health, async (): Promise<protocol.HealthResponse> => ({ healthy: true, version: deps.version }))

  app.post(protocol.ApiPaths.sessions, async (request, reply) => {
    const body = parsePart(protocol.createSessionBody, request.body ?? {}, 'body')
    const session = await engine.createSession(body)
    return reply.code(201).send(session)
  })

  app.get(protocol.ApiPaths.sessions, async (request): Promise<protocol.SessionInfo[]> => {
    const { limit } = parsePart(listQuery, request.query, 'querystring')
    return engine.listSessions(limit === undefined ? {} : { limit })
  })

  app.patch(sessionPath(), async (request): Promise<protocol.SessionInfo> => {
    const { id } = parsePart(idParams, request.params, 'params')
    const body = parsePart(protocol.patchSessionBody, request.body ?? {}, 'body')
    return engine.patchSession(id, body)
  })

  app.get(sessionPath(), async (request): Promise<protocol.SessionDetail> => {
    const { id } = parsePart(idParams, request.params, 'params')
    return engine.getSession(id)
  })

  app.get(sessionPath('/children'), async (request): Promise<protocol.SessionInfo[]> => {
    const { id } = parsePart(idParams, request.params, 'params')
    const { limit } = parsePart(listQuery, request.query, 'querystring')
    await engine.getSessionInfo(id)
    return engine.listSessions({ parentId: id, limit: limit ?? 100 })
  })

  app.post(sessionPath('/messages'), async (request, reply) => {
    const { id } = parsePart(idParams, request.params, 'params')
    const body = parsePart(protocol.postMessageBody, request.body, 'body')
    const accepted: protocol.PostMessageResponse = await engine.prompt(id, body)
    return reply.code(202).send(accepted)
  })

  app.post(sessionPath('/abort'), async (request): Promise<{ aborted: boolean }> => {
    const { id } = parsePart(idParams, request.params, 'params')
    const aborted = engine.abort(id)
    if (!aborted && !(await deps.sessionStore.getSession(id))) {
      throw new PlatformError(KernelErrorCode.SESSION_NOT_FOUND, `No session with id "${id}".`, { httpStatus: 404, details: { id } })
    }
    return { aborted }
  })
}
