import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { protocol, type SessionEngine } from '../../../kernel/index.js'
import { parsePart } from './errors.js'
import { mount, type RouteDoc } from './route-docs.js'

const idParams = z.object({ id: z.string().min(1) }).strict()
const askParams = z.object({ id: z.string().min(1), askId: z.string().min(1) }).strict()
const callParams = z.object({ id: z.string().min(1), callId: z.string().min(1) }).strict()
const tags = ['tools']

/** Docs (and the schemas the handlers validate with) of the tool routes. */
export const toolRouteDocs = {
  permission: {
    id: 'sessions.permissions.reply', method: 'POST', path: `${protocol.ApiPaths.sessions}/:id/permissions/:askId`, tags,
    summary: 'Answer a permission.asked event: once, always (adds an allow rule to the session) or reject.',
    params: askParams, body: protocol.permissionReplyBody,
    success: { status: 204, description: 'Answered.' }, errors: { 400: ['REQUEST_INVALID'], 404: ['SESSION_NOT_FOUND', 'PERMISSION_ASK_NOT_FOUND'] },
  },
  revert: {
    id: 'sessions.revert', method: 'POST', path: `${protocol.ApiPaths.sessions}/:id/revert`, tags,
    summary: 'Put back every file tools wrote in that turn and later ones (created files removed).',
    params: idParams, body: protocol.revertBody,
    success: { status: 200, description: 'What was restored and removed, and calls a revert cannot undo.', schema: protocol.revertResponseSchema },
    errors: { 400: ['REQUEST_INVALID'], 404: ['SESSION_NOT_FOUND', 'SESSION_TURN_NOT_FOUND'], 409: ['SESSION_BUSY'] },
  },
  toolCall: {
    id: 'sessions.toolCalls.get', method: 'GET', path: `${protocol.ApiPaths.sessions}/:id/tool-calls/:callId`, tags,
    summary: 'One tool call with its full output (`truncated: true` when the model saw a cut one).',
    params: callParams,
    success: { status: 200, description: 'The tool call.', schema: protocol.toolCallDetailSchema }, errors: { 404: ['SESSION_NOT_FOUND', 'TOOL_CALL_NOT_FOUND'] },
  },
} satisfies Record<string, RouteDoc>

/** Permission replies, undo of tool file changes, and tool-call details of a session. */
export function registerToolRoutes(app: FastifyInstance, deps: { engine: SessionEngine }): void {
  const docs = toolRouteDocs
  mount(app, docs.permission, async (request, reply) => {
    const { id, askId } = parsePart(docs.permission.params, request.params, 'params')
    const body = parsePart(docs.permission.body, request.body, 'body')
    await deps.engine.replyPermission(id, askId, body.reply, body.message)
    return reply.code(204).send()
  })

  mount(app, docs.revert, async (request) => {
    const { id } = parsePart(docs.revert.params, request.params, 'params')
    const body = parsePart(docs.revert.body, request.body, 'body')
    return deps.engine.revert(id, body.turnId)
  })

  mount(app, docs.toolCall, async (request) => {
    const { id, callId } = parsePart(docs.toolCall.params, request.params, 'params')
    return deps.engine.getToolCall(id, callId)
  })
}
