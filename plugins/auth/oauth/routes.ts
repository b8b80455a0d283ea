import { z } from 'zod'
import type { RouteCaller, RouteDefinition } from '../../../kernel/index.js'
import type { AuthOauthService } from './services.js'

const provider = z.object({ provider: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/, 'must be a provider id such as anthropic, codex or gemini') }).strict()
const flowId = z.object({ flowId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be a flowId returned by start') }).strict()
const startBody = z.object({ flow: z.enum(['browser', 'paste', 'device']).optional() }).strict().optional()
const completeBody = z
  .object({ code: z.string().min(1).max(4_096).optional(), redirectUrl: z.string().min(1).max(8_192).optional() })
  .strict()
  .refine((b) => Boolean(b.code) !== Boolean(b.redirectUrl), { message: 'send exactly one of code or redirectUrl' })

/** Whose login a caller handles: a member's own; an admin's (and the local admin's) are server-wide. */
const ownerOf = (caller: RouteCaller | undefined): string | null => (caller && caller.role !== 'admin' ? caller.userId : null)

/** The HTTP API of the flows (server-http mounts the routes registry). */
export function oauthRoutes(service: () => AuthOauthService): RouteDefinition[] {
  return [
    {
      id: 'auth-oauth.start',
      method: 'POST',
      path: '/api/auth/oauth/:provider/start',
      schema: { params: provider, body: startBody },
      // A member's login is their own (it wins for their sessions); an admin's is server-wide.
      handler: async ({ params, body, caller }) => ({ status: 201, body: await service().start(params.provider, (body as z.infer<typeof startBody>)?.flow, ownerOf(caller)) }),
    },
    {
      id: 'auth-oauth.flow',
      method: 'GET',
      path: '/api/auth/oauth/flows/:flowId',
      schema: { params: flowId },
      handler: async ({ params }) => ({ body: await service().flow(params.flowId) }),
    },
    {
      id: 'auth-oauth.complete',
      method: 'POST',
      path: '/api/auth/oauth/flows/:flowId/complete',
      schema: { params: flowId, body: completeBody },
      handler: async ({ params, body }) => ({ body: await service().complete(params.flowId, body as z.infer<typeof completeBody>) }),
    },
    {
      id: 'auth-oauth.logout',
      method: 'DELETE',
      path: '/api/auth/oauth/:provider',
      schema: { params: provider },
      handler: async ({ params, caller }) => ({ body: await service().logout(params.provider, ownerOf(caller)) }),
    },
    {
      id: 'auth-oauth.status',
      method: 'GET',
      path: '/api/auth/oauth/status',
      handler: async ({ caller }) => ({ body: { providers: await service().status(ownerOf(caller)) } }),
    },
  ]
}
