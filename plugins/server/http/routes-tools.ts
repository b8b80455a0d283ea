import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { protocol, type SessionEngine } from '../../../kernel/index.js'
import { parsePart } from './errors.js'

const askParams = z.object({ id: z.string().min(1), askId: z.string().min(1) }).strict()
const callParams = z.object({ id: z.string().min(1), callId: z.string().min(1) }).strict()

/** Permission replies, undo of tool file changes, and tool-call details of a session. */
export function registerToolRoutes(app: FastifyInstance, deps: { engine: SessionEngine }): void {
  app.post(`${protocol.ApiPaths.sessions}/:id/permissions/:askId`, async (request, reply) => {
    const { id, askId } = parsePart(askParams, request.params, 'params')
    const body = parsePart(protocol.permissionReplyBody, request.body, 'body')
    await deps.engine.replyPermission(id, askId, body.reply, body.message)
    return reply.code(204).send()
  })

  app.post(`${protocol.ApiPaths.sessions}/:id/revert`, async (request) => {
    const { id } = parsePart(z.object({ id: z.string().min(1) }).strict(), request.params, 'params')
    const body = parsePart(protocol.revertBody, request.body, 'body')
    return deps.engine.revert(id, body.turnId)
  })

  app.get(`${protocol.ApiPaths.sessions}/:id/tool-calls/:callId`, async (request) => {
    const { id, callId } = parsePart(callParams, request.params, 'params')
    return deps.engine.getToolCall(id, callId)
  })
}
