import { z } from 'zod'
import type { RouteDefinition } from '../../../kernel/index.js'
import { serverNameSchema } from './config.js'
import type { McpOAuthFlows } from './oauth-flows.js'
import { callbackPage, type CompletionInput } from './oauth-page.js'

const BASE = '/api/mcp/servers/:name/auth'
export const CALLBACK_PATH = '/api/mcp/oauth/callback'
const nameParams = z.object({ name: serverNameSchema }).strict()
const completeBody = z
  .object({ code: z.string().min(1).max(4_096).optional(), redirectUrl: z.string().min(1).max(8_192).optional() })
  .strict()
  .refine((b) => Boolean(b.code) !== Boolean(b.redirectUrl), { message: 'send exactly one of code or redirectUrl' })
/** Whatever the authorization server appends; unknown parameters are ignored, not refused. */
const callbackQuery = z.record(z.string(), z.string().max(8_192))

/**
 * OAuth of remote servers (see README): start, complete by paste, status, logout, and the browser
 * callback. The callback answers HTML (`contentType`: server-http sends it as given).
 */
export function oauthRoutes(flows: () => McpOAuthFlows): RouteDefinition[] {
  return [
    {
      id: 'mcp-client.auth.start', access: 'admin',
      method: 'POST',
      path: `${BASE}/start`,
      schema: { params: nameParams },
      handler: async ({ params }) => ({ status: 201, body: await flows().start(params.name) }),
    },
    {
      id: 'mcp-client.auth.complete', access: 'admin',
      method: 'POST',
      path: `${BASE}/complete`,
      schema: { params: nameParams, body: completeBody },
      handler: async ({ params, body }) => ({ body: await flows().complete(params.name, body as CompletionInput) }),
    },
    {
      id: 'mcp-client.auth.status',
      method: 'GET',
      path: BASE,
      schema: { params: nameParams },
      handler: async ({ params }) => ({ body: await flows().status(params.name) }),
    },
    {
      id: 'mcp-client.auth.logout', access: 'admin',
      method: 'DELETE',
      path: BASE,
      schema: { params: nameParams },
      handler: async ({ params }) => ({ body: await flows().logout(params.name) }),
    },
    {
      id: 'mcp-client.auth.callback',
      method: 'GET',
      path: CALLBACK_PATH,
      schema: { querystring: callbackQuery },
      handler: async ({ query }) => {
        const outcome = await flows().callback(query as Record<string, string>)
        const answer = { status: outcome.status, body: callbackPage(outcome.ok, outcome.message), contentType: 'text/html; charset=utf-8' }
        return answer
      },
    },
  ]
}
