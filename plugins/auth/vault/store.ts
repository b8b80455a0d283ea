import { PlatformError, secretHint, type Clock, type CredentialPatch, type CredentialStore, type Ids, type NewCredential } from '../../../kernel/index.js'
import type { PersistencePostgresService } from '../../persistence/postgres/services.js'
import { seal, unseal, type Sealed } from './cipher.js'
import { VaultErrorCode } from './errors.js'
import type { KeyRing } from './keyring.js'
import { identityOf, INFO_COLUMNS, SEALED_COLUMNS, sealedOf, toCredential, toInfo, type InfoRow, type SealedRow } from './rows.js'

/** What the store needs once auth-vault has started. */
export interface VaultStoreDeps {
  db: Pick<PersistencePostgresService, 'query'>
  table: string
  ring: KeyRing
  clock: Clock
  ids: Ids
}

const WRITE_ATTEMPTS = 3
const json = (value: unknown) => JSON.stringify(value)

/** A column assignment list for an update, with `$n` placeholders after the fixed ones. */
class Assignments {
  readonly sets: string[] = []
  constructor(readonly values: unknown[]) {}
  add(column: string, value: unknown, cast = ''): void {
    this.values.push(value)
    this.sets.push(`"${column}" = $${this.values.length}${cast}`)
  }
}

function plainAssignments(patch: CredentialPatch, now: string, fixed: unknown[]): Assignments {
  const a = new Assignments(fixed)
  if (patch.expiresAt !== undefined) a.add('expires_at', patch.expiresAt, '::timestamptz')
  if (patch.status !== undefined) a.add('status', patch.status)
  if (patch.meta !== undefined) a.add('meta', json(patch.meta), '::jsonb')
  if (patch.lastUsedAt !== undefined) a.add('last_used_at', patch.lastUsedAt, '::timestamptz')
  a.add('updated_at', now, '::timestamptz')
  return a
}

function sealedAssignments(a: Assignments, sealed: Sealed): void {
  a.add('ciphertext', sealed.ciphertext)
  a.add('iv', sealed.iv)
  a.add('auth_tag', sealed.authTag)
  a.add('key_version', sealed.keyVersion)
}

async function selectSealed(deps: VaultStoreDeps, id: string): Promise<SealedRow | undefined> {
  return (await deps.db.query<SealedRow>(`select ${SEALED_COLUMNS} from ${deps.table} where "id" = $1`, [id]))[0]
}

/** Re-encrypt after a secret or refresh-token change; optimistic on the IV (every write has a fresh one). */
async function updateSecret(deps: VaultStoreDeps, id: string, patch: CredentialPatch): Promise<InfoRow | null> {
  const { db, table, ring, clock } = deps
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt += 1) {
    const row = await selectSealed(deps, id)
    if (!row) return null
    const old = unseal(ring, sealedOf(row), identityOf(row))
    const payload = {
      secret: patch.secret ?? old.secret,
      refreshToken: patch.refreshToken === undefined ? old.refreshToken : patch.refreshToken,
    }
    const a = plainAssignments(patch, clock.now().toISOString(), [id, row.iv])
    sealedAssignments(a, seal(ring, payload, identityOf(row)))
    if (patch.secret !== undefined) a.add('hint', secretHint(patch.secret))
    const sql = `update ${table} set ${a.sets.join(', ')} where "id" = $1 and "iv" = $2 returning ${INFO_COLUMNS}`
    const [updated] = await db.query<InfoRow>(sql, a.values)
    if (updated) return updated
  }
  throw new PlatformError(VaultErrorCode.WRITE_CONFLICT, `Credential ${id} changed under ${WRITE_ATTEMPTS} attempts to update its secret; try again.`, {
    details: { credentialId: id },
    retryable: true,
    httpStatus: 409,
  })
}

async function updatePlain(deps: VaultStoreDeps, id: string, patch: CredentialPatch): Promise<InfoRow | null> {
  const a = plainAssignments(patch, deps.clock.now().toISOString(), [id])
  const [row] = await deps.db.query<InfoRow>(`update ${deps.table} set ${a.sets.join(', ')} where "id" = $1 returning ${INFO_COLUMNS}`, a.values)
  return row ?? null
}

async function insert(deps: VaultStoreDeps, input: NewCredential): Promise<InfoRow> {
  const { db, table, ring, clock, ids } = deps
  const id = ids.next('cred')
  const now = clock.now().toISOString()
  const sealed = seal(ring, { secret: input.secret, refreshToken: input.refreshToken ?? null }, { id, providerId: input.providerId, mode: input.mode })
  const [row] = await db.query<InfoRow>(
    `insert into ${table} ("id", "provider_id", "mode", "label", "hint", "ciphertext", "iv", "auth_tag", "key_version", "expires_at", "scopes", "meta", "owner_id", "status", "created_at", "updated_at") ` +
      `values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::timestamptz, $11::jsonb, $12::jsonb, $14, 'active', $13::timestamptz, $13::timestamptz) returning ${INFO_COLUMNS}`,
    [
      id, input.providerId, input.mode, input.label ?? null, secretHint(input.secret), sealed.ciphertext, sealed.iv, sealed.authTag, sealed.keyVersion,
      input.expiresAt ?? null, json(input.scopes ?? []), json(input.meta ?? {}), now, input.ownerId ?? null,
    ],
  )
  return row!
}

const decrypted = (deps: VaultStoreDeps, row: SealedRow | undefined) => (row ? toCredential(row, unseal(deps.ring, sealedOf(row), identityOf(row))) : null)

/** The credentialStore port on the auth_credential table (same semantics as the kernel's in-memory store). */
export function createVaultStore(getDeps: () => VaultStoreDeps): CredentialStore {
  return {
    async list(filter = {}) {
      const { db, table } = getDeps()
      const owner = filter.ownerId === undefined ? '' : filter.ownerId === null ? ' and "owner_id" is null' : ' and "owner_id" = $2'
      const sql = `select ${INFO_COLUMNS} from ${table} where ($1::text is null or "provider_id" = $1)${owner} order by "created_at", "id"`
      return (await db.query<InfoRow>(sql, [filter.providerId ?? null, ...(typeof filter.ownerId === 'string' ? [filter.ownerId] : [])])).map(toInfo)
    },
    async get(id) {
      const deps = getDeps()
      return decrypted(deps, await selectSealed(deps, id))
    },
    async find(providerId, mode, ownerId) {
      const deps = getDeps()
      // The user's own credential first (when there is a user), else a server-wide one.
      const sql =
        `select ${SEALED_COLUMNS} from ${deps.table} where "provider_id" = $1 and "mode" = $2 and "status" = 'active' ` +
        `and ("owner_id" is null or "owner_id" = $3) order by ("owner_id" is null), "updated_at" desc, "id" desc limit 1`
      return decrypted(deps, (await deps.db.query<SealedRow>(sql, [providerId, mode, ownerId ?? null]))[0])
    },
    save: async (input) => toInfo(await insert(getDeps(), input)),
    async update(id, patch) {
      const secretChanged = patch.secret !== undefined || patch.refreshToken !== undefined
      const row = secretChanged ? await updateSecret(getDeps(), id, patch) : await updatePlain(getDeps(), id, patch)
      return row ? toInfo(row) : null
    },
    async delete(id) {
      const { db, table } = getDeps()
      return (await db.query(`delete from ${table} where "id" = $1 returning "id"`, [id])).length > 0
    },
  }
}
