import type { Credential, CredentialInfo, CredentialStore } from '../auth.js'
import { secretHint } from '../auth.js'
import { Secret } from '../config.js'
import type { Clock, Ids } from './types.js'

interface Entry {
  info: CredentialInfo
  secret: string
  refreshToken: string | null
}

/** Default credentialStore: in memory, lost on restart. auth-vault replaces it. */
export function createMemoryCredentialStore(deps: { clock: Clock; ids: Ids }): CredentialStore {
  const entries = new Map<string, Entry>()
  const toCredential = (entry: Entry): Credential => ({
    id: entry.info.id,
    providerId: entry.info.providerId,
    mode: entry.info.mode,
    secret: new Secret(entry.secret, `credential:${entry.info.id}`),
    ...(entry.refreshToken ? { refreshToken: new Secret(entry.refreshToken, `credential:${entry.info.id}:refresh`) } : {}),
    expiresAt: entry.info.expiresAt,
    scopes: [...entry.info.scopes],
    source: 'vault',
    label: entry.info.label ?? undefined,
    meta: { ...entry.info.meta },
    ownerId: entry.info.ownerId,
  })
  return {
    async list(filter = {}) {
      return [...entries.values()]
        .filter((e) => (!filter.providerId || e.info.providerId === filter.providerId) && (filter.ownerId === undefined || e.info.ownerId === filter.ownerId))
        .map((e) => structuredClone(e.info))
    },
    async get(id) {
      const entry = entries.get(id)
      return entry ? toCredential(entry) : null
    },
    async find(providerId, mode, ownerId) {
      const newest = (owner: string | null) =>
        [...entries.values()]
          .filter((e) => e.info.providerId === providerId && e.info.mode === mode && e.info.status === 'active' && e.info.ownerId === owner)
          .sort((a, b) => (a.info.updatedAt < b.info.updatedAt ? 1 : -1))[0]
      const found = (ownerId ? newest(ownerId) : undefined) ?? newest(null)
      return found ? toCredential(found) : null
    },
    async save(input) {
      const now = deps.clock.now().toISOString()
      const info: CredentialInfo = {
        id: deps.ids.next('cred'), providerId: input.providerId, mode: input.mode, label: input.label ?? null, hint: secretHint(input.secret),
        status: 'active', expiresAt: input.expiresAt ?? null, scopes: input.scopes ?? [], meta: input.meta ?? {}, ownerId: input.ownerId ?? null, keyVersion: null,
        createdAt: now, updatedAt: now, lastUsedAt: null,
      }
      entries.set(info.id, { info, secret: input.secret, refreshToken: input.refreshToken ?? null })
      return structuredClone(info)
    },
    async update(id, patch) {
      const entry = entries.get(id)
      if (!entry) return null
      if (patch.secret !== undefined) {
        entry.secret = patch.secret
        entry.info.hint = secretHint(patch.secret)
      }
      if (patch.refreshToken !== undefined) entry.refreshToken = patch.refreshToken
      if (patch.expiresAt !== undefined) entry.info.expiresAt = patch.expiresAt
      if (patch.status !== undefined) entry.info.status = patch.status
      if (patch.meta !== undefined) entry.info.meta = { ...patch.meta }
      if (patch.lastUsedAt !== undefined) entry.info.lastUsedAt = patch.lastUsedAt
      entry.info.updatedAt = deps.clock.now().toISOString()
      return structuredClone(entry.info)
    },
    async delete(id) {
      return entries.delete(id)
    },
  }
}
