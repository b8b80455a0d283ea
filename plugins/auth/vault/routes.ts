import { z } from 'zod'
import { PlatformError, type CredentialStore, type ProviderDefinition, type Registry, type RouteDefinition } from '../../../kernel/index.js'
import { VaultErrorCode } from './errors.js'

const providerId = z.string().trim().min(1).max(100).regex(/^[a-z0-9][a-z0-9._-]*$/, 'a provider id such as anthropic, openai, gemini')

export const listQuery = z.object({ provider: providerId.optional() }).strict()
export const createBody = z
  .object({
    provider: providerId,
    key: z.string().trim().min(1, 'the API key is empty').max(8192),
    label: z.string().trim().min(1).max(200).optional(),
  })
  .strict()
export const idParams = z.object({ id: z.string().min(1).max(200) }).strict()

export interface RouteDeps {
  store: CredentialStore
  providers: Registry<ProviderDefinition>
}

function unknownProvider(id: string, providers: Registry<ProviderDefinition>): PlatformError {
  const known = providers.ids().sort()
  return new PlatformError(
    VaultErrorCode.PROVIDER_UNKNOWN,
    `No enabled provider has the id "${id}"; known providers: ${known.length ? known.join(', ') : 'none'}. Enable its plugin or correct the id.`,
    { httpStatus: 400, details: { provider: id, known } },
  )
}

/**
 * The credentials API: list (hints only), store an API key, delete. Keys are validated by zod and
 * go straight into the store; neither responses nor logs ever carry them.
 */
export function credentialRoutes(deps: RouteDeps): RouteDefinition[] {
  return [
    {
      id: 'auth-vault.credentials.list',
      method: 'GET',
      path: '/api/auth/credentials',
      schema: { querystring: listQuery },
      handler: async ({ query, caller }) => {
        const { provider } = query as z.output<typeof listQuery>
        // Members see their own credentials only; admins every one.
        const owner = caller && caller.role !== 'admin' ? { ownerId: caller.userId } : {}
        return { body: await deps.store.list({ ...(provider ? { providerId: provider } : {}), ...owner }) }
      },
    },
    {
      id: 'auth-vault.credentials.create',
      method: 'POST',
      path: '/api/auth/credentials',
      schema: { body: createBody },
      handler: async ({ body, caller }) => {
        const input = body as z.output<typeof createBody>
        if (!deps.providers.has(input.provider)) throw unknownProvider(input.provider, deps.providers)
        // An admin stores server-wide keys; a member's key is their own (it wins for their sessions).
        const ownerId = caller && caller.role !== 'admin' ? caller.userId : null
        const info = await deps.store.save({ providerId: input.provider, mode: 'api_key', secret: input.key, label: input.label ?? null, ownerId })
        return { status: 201, body: info }
      },
    },
    {
      id: 'auth-vault.credentials.delete',
      method: 'DELETE',
      path: '/api/auth/credentials/:id',
      schema: { params: idParams },
      handler: async ({ params, caller }) => {
        const { id } = params as z.output<typeof idParams>
        const mine = !caller || caller.role === 'admin' || (await deps.store.list({ ownerId: caller.userId })).some((c) => c.id === id)
        if (!mine || !(await deps.store.delete(id))) {
          throw new PlatformError(VaultErrorCode.CREDENTIAL_NOT_FOUND, `No stored credential has the id "${id}"; list them with GET /api/auth/credentials.`, {
            httpStatus: 404,
            details: { id },
          })
        }
        return { status: 204, body: undefined }
      },
    },
  ]
}
