import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { protocol, type SessionEngine } from '../../../kernel/index.js'
import { parsePart } from './errors.js'
import { mount, type RouteDoc } from './route-docs.js'

const idParams = z.object({ id: z.string().min(1) }).strict()
const messageParams = z.object({ id: z.string().min(1), messageId: z.string().min(1) }).strict()
/** Routes without a body accept none, or an empty object (what many clients send by default). */
const noBody = z.object({}).strict()
const tags = ['conversation']

/** Docs (and the schemas the handlers validate with) of the conversation routes. */
export const conversationRouteDocs = {
  regenerate: {
    id: 'sessions.regenerate', method: 'POST', path: `${protocol.ApiPaths.sessions}/:id/regenerate`, tags,
    summary: 'Mark the last turn\'s answers superseded and run the turn again.',
    params: idParams, body: noBody, bodyOptional: true,
    success: { status: 202, description: 'The turn was queued again.', schema: protocol.regenerateResponseSchema },
    errors: { 400: ['REQUEST_INVALID'], 404: ['SESSION_NOT_FOUND'], 409: ['SESSION_BUSY', 'SESSION_NOTHING_TO_REGENERATE'] },
  },
  edit: {
    id: 'sessions.messages.edit', method: 'POST', path: `${protocol.ApiPaths.sessions}/:id/messages/:messageId/edit`, tags,
    summary: 'Fork the session before a user message and send the edited text there.',
    params: messageParams, body: protocol.postMessageBody,
    success: { status: 201, description: 'The new session and the message sent there.', schema: protocol.editMessageResponseSchema },
    errors: { 400: ['REQUEST_INVALID', 'SESSION_MESSAGE_NOT_EDITABLE'], 404: ['SESSION_NOT_FOUND', 'SESSION_MESSAGE_NOT_FOUND'] },
  },
  compact: {
    id: 'sessions.compact', method: 'POST', path: `${protocol.ApiPaths.sessions}/:id/compact`, tags,
    summary: 'Compact the conversation now (queued like a turn); answers once the summary is stored.',
    params: idParams, body: noBody, bodyOptional: true,
    success: { status: 200, description: 'The compaction message.', schema: protocol.compactResponseSchema },
    errors: { 400: ['REQUEST_INVALID'], 404: ['SESSION_NOT_FOUND'], 409: ['SESSION_NOTHING_TO_COMPACT'], 502: ['SESSION_COMPACTION_FAILED'] },
  },
} satisfies Record<string, RouteDoc>

/** Reshaping a conversation: answer the last message again, edit a past one (forks), compact now. */
export function registerConversationRoutes(app: FastifyInstance, deps: { engine: SessionEngine }): void {
  const docs = conversationRouteDocs
  mount(app, docs.regenerate, async (request, reply) => {
    const { id } = parsePart(docs.regenerate.params, request.params, 'params')
    parsePart(docs.regenerate.body, request.body ?? {}, 'body')
    const accepted: protocol.RegenerateResponse = await deps.engine.regenerate(id)
    return reply.code(202).send(accepted)
  })

  mount(app, docs.edit, async (request, reply) => {
    const { id, messageId } = parsePart(docs.edit.params, request.params, 'params')
    const body = parsePart(docs.edit.body, request.body, 'body')
    const forked: protocol.EditMessageResponse = await deps.engine.editMessage(id, messageId, body)
    return reply.code(201).send(forked)
  })

  mount(app, docs.compact, async (request): Promise<protocol.CompactResponse> => {
    const { id } = parsePart(docs.compact.params, request.params, 'params')
    parsePart(docs.compact.body, request.body ?? {}, 'body')
    return deps.engine.compactNow(id)
  })
}
