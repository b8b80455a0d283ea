import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { protocol, type SessionEngine } from '../../../kernel/index.js'
import { parsePart } from './errors.js'

const idParams = z.object({ id: z.string().min(1) }).strict()
const messageParams = z.object({ id: z.string().min(1), messageId: z.string().min(1) }).strict()
const noBody = z.object({}).strict()

/** Reshaping a conversation: answer the last message again, edit a past one (forks), compact now. */
export function registerConversationRoutes(app: FastifyInstance, deps: { engine: SessionEngine }): void {
  app.post(`${protocol.ApiPaths.sessions}/:id/regenerate`, async (request, reply) => {
    const { id } = parsePart(idParams, request.params, 'params')
    parsePart(noBody, request.body ?? {}, 'body')
    const accepted: protocol.RegenerateResponse = await deps.engine.regenerate(id)
    return reply.code(202).send(accepted)
  })

  app.post(`${protocol.ApiPaths.sessions}/:id/messages/:messageId/edit`, async (request, reply) => {
    const { id, messageId } = parsePart(messageParams, request.params, 'params')
    const body = parsePart(protocol.postMessageBody, request.body, 'body')
    const forked: protocol.EditMessageResponse = await deps.engine.editMessage(id, messageId, body)
    return reply.code(201).send(forked)
  })

  app.post(`${protocol.ApiPaths.sessions}/:id/compact`, async (request): Promise<protocol.CompactResponse> => {
    const { id } = parsePart(idParams, request.params, 'params')
    parsePart(noBody, request.body ?? {}, 'body')
    return deps.engine.compactNow(id)
  })
}
