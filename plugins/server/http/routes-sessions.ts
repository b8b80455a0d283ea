import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { KernelErrorCode, PlatformError, protocol, type SessionEngine, type SessionStore } from '../../../kernel/index.js'
import { parsePart } from './errors.js'
import { mount, type RouteDoc } from './route-docs.js'

export interface SessionRouteDeps {
  engine: SessionEngine
  sessionStore: SessionStore
  version: string
}

const idParams = z.object({ id: z.string().min(1) }).strict()
const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).optional() })
/** Filters of the session list: `parentId=root` for top-level sessions only. */
const sessionListQuery = listQuery.extend({
  status: protocol.sessionStatusSchema.optional(),
  agent: z.string().min(1).optional(),
  parentId: z.string().min(1).optional(),
})

const sessionPath = (suffix = '') => `${protocol.ApiPaths.sessions}/:id${suffix}`
const tags = ['sessions']
const sessionUnknown = ['SESSION_AGENT_UNKNOWN', 'SESSION_PROVIDER_UNKNOWN', 'SESSION_MODEL_UNKNOWN']

/** Docs (and the schemas the handlers validate with) of the session routes. */
export const sessionRouteDocs = {
  health: {
    id: 'health', method: 'GET', path: protocol.ApiPaths.health, tags: ['server'], summary: 'Liveness and version.',
    success: { status: 200, description: 'The server is up.', schema: protocol.healthResponseSchema }, errors: {},
  },
  create: {
    id: 'sessions.create', method: 'POST', path: protocol.ApiPaths.sessions, tags, summary: 'Create a session (an empty body takes the defaults).',
    body: protocol.createSessionBody, bodyOptional: true,
    success: { status: 201, description: 'The new session.', schema: protocol.sessionInfoSchema },
    errors: { 400: ['REQUEST_INVALID', ...sessionUnknown, 'SESSION_WORKSPACE_INVALID', 'SESSION_WORKSPACE_NOT_FOUND', 'SESSION_WORKSPACE_OUTSIDE_ROOTS'] },
  },
  list: {
    id: 'sessions.list', method: 'GET', path: protocol.ApiPaths.sessions, tags, summary: 'List sessions, newest first, with their live status; filter by status, agent, parentId (`root` = top-level only).',
    querystring: sessionListQuery,
    success: { status: 200, description: 'Sessions.', schema: z.array(protocol.sessionInfoSchema) }, errors: { 400: ['REQUEST_INVALID'] },
  },
  patch: {
    id: 'sessions.patch', method: 'PATCH', path: sessionPath(), tags, summary: 'Switch agent, model or tools from the next turn, rename, or replace the permission rules.',
    params: idParams, body: protocol.patchSessionBody,
    success: { status: 200, description: 'The updated session (also announced as session.updated).', schema: protocol.sessionInfoSchema },
    errors: { 400: ['REQUEST_INVALID', ...sessionUnknown, 'SESSION_TOOL_UNKNOWN'], 404: ['SESSION_NOT_FOUND'] },
  },
  get: {
    id: 'sessions.get', method: 'GET', path: sessionPath(), tags, summary: 'A session with its messages and their parts.',
    params: idParams,
    success: { status: 200, description: 'The session.', schema: protocol.sessionDetailSchema }, errors: { 404: ['SESSION_NOT_FOUND'] },
  },
  children: {
    id: 'sessions.children', method: 'GET', path: sessionPath('/children'), tags, summary: 'The sessions this one delegated to (sub-agents), newest first.',
    params: idParams, querystring: listQuery,
    success: { status: 200, description: 'Child sessions.', schema: z.array(protocol.sessionInfoSchema) }, errors: { 400: ['REQUEST_INVALID'], 404: ['SESSION_NOT_FOUND'] },
  },
  postMessage: {
    id: 'sessions.messages.post', method: 'POST', path: sessionPath('/messages'), tags, summary: 'Send a user message; the turn runs in the background (follow the event stream).',
    params: idParams, body: protocol.postMessageBody,
    success: { status: 202, description: 'The turn was queued.', schema: protocol.postMessageResponseSchema },
    errors: { 400: ['REQUEST_INVALID'], 404: ['SESSION_NOT_FOUND'], 503: ['SESSION_SERVER_CLOSING'] },
  },
  delete: {
    id: 'sessions.delete', method: 'DELETE', path: sessionPath(), tags, summary: 'Delete a session with the sessions it delegated to, their messages and undo snapshots.',
    params: idParams,
    success: { status: 200, description: 'The deleted ids (announced as session.deleted).', schema: protocol.deleteSessionResponseSchema },
    errors: { 404: ['SESSION_NOT_FOUND'], 409: ['SESSION_BUSY'] },
  },
  tools: {
    id: 'sessions.tools', method: 'GET', path: sessionPath('/tools'), tags, summary: 'Every tool, with whether this session offers it (toggle with PATCH tools).',
    params: idParams,
    success: { status: 200, description: 'Tools.', schema: z.array(protocol.sessionToolSchema) }, errors: { 404: ['SESSION_NOT_FOUND'] },
  },
  providers: {
    id: 'providers.list', method: 'GET', path: protocol.ApiPaths.providers, tags: ['providers'], summary: 'Enabled providers and the models each knows.',
    success: { status: 200, description: 'Providers.', schema: z.array(protocol.providerInfoSchema) }, errors: {},
  },
  abort: {
    id: 'sessions.abort', method: 'POST', path: sessionPath('/abort'), tags, summary: 'Abort the running turn, if any.',
    params: idParams,
    success: { status: 200, description: '`aborted: false` when no turn was running here.', schema: protocol.abortResponseSchema }, errors: { 404: ['SESSION_NOT_FOUND'] },
  },
} satisfies Record<string, RouteDoc>

/** `GET /health` and the session commands: create, list, get, patch, children, post a message, abort. */
export function registerSessionRoutes(app: FastifyInstance, deps: SessionRouteDeps): void {
  const { engine } = deps
  const docs = sessionRouteDocs

  mount(app, docs.health, async (): Promise<protocol.HealthResponse> => ({ healthy: true, version: deps.version }))

  mount(app, docs.create, async (request, reply) => {
    const body = parsePart(docs.create.body, request.body ?? {}, 'body')
    const session = await engine.createSession(body, { ownerId: request.caller.userId })
    return reply.code(201).send(session)
  })

  mount(app, docs.list, async (request): Promise<protocol.SessionInfo[]> => {
    const { limit, status, agent, parentId } = parsePart(docs.list.querystring, request.query, 'querystring')
    // Members see their own sessions; admins all of them.
    const owner = request.caller.role === 'admin' ? {} : { ownerId: request.caller.userId ?? '' }
    const parent = parentId === undefined ? {} : { parentId: parentId === 'root' ? null : parentId }
    return engine.listSessions({ ...(limit === undefined ? {} : { limit }), ...(status ? { status } : {}), ...(agent ? { agent } : {}), ...parent, ...owner })
  })

  mount(app, docs.delete, async (request) => {
    const { id } = parsePart(docs.delete.params, request.params, 'params')
    return engine.deleteSession(id)
  })

  mount(app, docs.tools, async (request): Promise<protocol.SessionTool[]> => {
    const { id } = parsePart(docs.tools.params, request.params, 'params')
    return engine.sessionTools(id)
  })

  mount(app, docs.providers, async (): Promise<protocol.ProviderInfo[]> => engine.providers())

  mount(app, docs.patch, async (request): Promise<protocol.SessionInfo> => {
    const { id } = parsePart(docs.patch.params, request.params, 'params')
    const body = parsePart(docs.patch.body, request.body ?? {}, 'body')
    return engine.patchSession(id, body)
  })

  mount(app, docs.get, async (request): Promise<protocol.SessionDetail> => {
    const { id } = parsePart(docs.get.params, request.params, 'params')
    return engine.getSession(id)
  })

  mount(app, docs.children, async (request): Promise<protocol.SessionInfo[]> => {
    const { id } = parsePart(docs.children.params, request.params, 'params')
    const { limit } = parsePart(docs.children.querystring, request.query, 'querystring')
    await engine.getSessionInfo(id)
    return engine.listSessions({ parentId: id, limit: limit ?? 100 })
  })

  mount(app, docs.postMessage, async (request, reply) => {
    const { id } = parsePart(docs.postMessage.params, request.params, 'params')
    const body = parsePart(docs.postMessage.body, request.body, 'body')
    const accepted: protocol.PostMessageResponse = await engine.prompt(id, body)
    return reply.code(202).send(accepted)
  })

  mount(app, docs.abort, async (request): Promise<{ aborted: boolean }> => {
    const { id } = parsePart(docs.abort.params, request.params, 'params')
    const aborted = engine.abort(id)
    if (!aborted && !(await deps.sessionStore.getSession(id))) {
      throw new PlatformError(KernelErrorCode.SESSION_NOT_FOUND, `No session with id "${id}".`, { httpStatus: 404, details: { id } })
    }
    return { aborted }
  })
}
