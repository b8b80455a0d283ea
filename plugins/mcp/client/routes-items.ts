import { z } from 'zod'
import { PlatformError, type RouteDefinition, type SessionEngine } from '../../../kernel/index.js'
import { serverNameSchema } from './config.js'
import type { McpManager } from './manager.js'
import { renderPrompt } from './prompts.js'
import { readResource, resourceAttachments } from './resources.js'

const BASE = '/api/mcp/servers/:name'
const nameParams = z.object({ name: serverNameSchema }).strict()
const promptParams = z.object({ name: serverNameSchema, prompt: z.string().min(1).max(200) }).strict()
/** Prompt arguments are strings in MCP; in the query string each one is `?city=Paris`. */
const promptArgs = z.record(z.string(), z.string())
const sendBody = z.object({ sessionId: z.string().min(1), arguments: promptArgs.default({}) }).strict()
const uriQuery = z.object({ uri: z.string().min(1).optional() }).strict()
const requiredUri = z.object({ uri: z.string().min(1, 'give the resource uri as ?uri=') }).strict()

/** Prompts (list, render with arguments, send as a session's user message) and resources (list, read, as attachments). */
export function itemRoutes(manager: McpManager, engine: () => SessionEngine): RouteDefinition[] {
  const connection = (name: string) => manager.get(name).connection
  return [
    {
      id: 'mcp-client.prompts.list',
      method: 'GET',
      path: `${BASE}/prompts`,
      schema: { params: nameParams },
      handler: async ({ params }) => ({ body: connection(params.name).listings.prompts }),
    },
    {
      id: 'mcp-client.prompts.render',
      method: 'GET',
      path: `${BASE}/prompts/:prompt`,
      schema: { params: promptParams, querystring: promptArgs },
      handler: async ({ params, query }) => {
        const { asUserMessage: _sent, ...rendered } = await renderPrompt(connection(params.name), params.prompt, query as Record<string, string>)
        return { body: rendered }
      },
    },
    {
      id: 'mcp-client.prompts.send',
      method: 'POST',
      path: `${BASE}/prompts/:prompt/send`,
      schema: { params: promptParams, body: sendBody },
      handler: async ({ params, body, caller }) => {
        const { sessionId, arguments: args } = body as z.output<typeof sendBody>
        // A member may send only into their own sessions (others look absent).
        if (caller && caller.role !== 'admin' && (await engine().getSessionInfo(sessionId).catch(() => null))?.ownerId !== caller.userId) {
          throw new PlatformError('SESSION_NOT_FOUND', `No session with id "${sessionId}".`, { httpStatus: 404, details: { id: sessionId } })
        }
        const rendered = await renderPrompt(connection(params.name), params.prompt, args)
        const { text, attachments } = rendered.asUserMessage
        const sent = await engine().prompt(sessionId, { text, ...(attachments.length ? { attachments } : {}) })
        return { status: 202, body: { ...sent, text, attachments: attachments.length } }
      },
    },
    {
      id: 'mcp-client.resources.list-or-read',
      method: 'GET',
      path: `${BASE}/resources`,
      schema: { params: nameParams, querystring: uriQuery },
      handler: async ({ params, query }) => {
        const c = connection(params.name)
        const uri = (query as z.output<typeof uriQuery>).uri
        if (uri !== undefined) return { body: { uri, contents: await readResource(c, uri) } }
        return { body: { resources: c.listings.resources, templates: c.listings.templates } }
      },
    },
    {
      id: 'mcp-client.resources.attachments',
      method: 'GET',
      path: `${BASE}/resources/attachments`,
      schema: { params: nameParams, querystring: requiredUri },
      handler: async ({ params, query }) => ({ body: { attachments: await resourceAttachments(connection(params.name), (query as z.output<typeof requiredUri>).uri) } }),
    },
  ]
}
