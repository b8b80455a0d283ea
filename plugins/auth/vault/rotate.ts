import { isPlatformError, PlatformError } from '../../../kernel/index.js'
import type { PersistencePostgresService } from '../../persistence/postgres/services.js'
import { seal, unseal } from './cipher.js'
import { VaultErrorCode } from './errors.js'
import type { KeyRing } from './keyring.js'
import { identityOf, SEALED_COLUMNS, sealedOf, type SealedRow } from './rows.js'

/** What a rotation did. */
export interface RotationReport {
  /** The version every rewritten row is now encrypted with (the ring's newest). */
  keyVersion: number
  /** Rows in the table when the rotation started. */
  total: number
  /** Rows re-encrypted by this rotation. */
  rotated: number
  /** Rows that were already under the newest version. */
  alreadyCurrent: number
  /** Rows rewritten by another writer meanwhile (a write always uses the newest key), left as they are. */
  changedMeanwhile: number
  /** Rows re-encrypted, by the version they had. */
  fromVersions: Record<string, number>
}

export interface RotateDeps {
  db: Pick<PersistencePostgresService, 'query'>
  table: string
  ring: KeyRing
  now: string
}

/** Decrypt every row not under the newest version; all must decrypt, or nothing is written. */
function reencrypt(rows: SealedRow[], ring: KeyRing): { id: string; old_iv: string; ciphertext: string; iv: string; auth_tag: string; key_version: number }[] {
  const failures: { credentialId: string; keyVersion: number }[] = []
  const updates = rows.flatMap((row) => {
    try {
      const sealed = seal(ring, unseal(ring, sealedOf(row), identityOf(row)), identityOf(row))
      const b64 = (buffer: Buffer) => buffer.toString('base64')
      return [{ id: row.id, old_iv: b64(row.iv), ciphertext: b64(sealed.ciphertext), iv: b64(sealed.iv), auth_tag: b64(sealed.authTag), key_version: sealed.keyVersion }]
    } catch (error) {
      if (!isPlatformError(error) || error.code !== VaultErrorCode.DECRYPT_FAILED) throw error
      failures.push({ credentialId: row.id, keyVersion: row.key_version })
      return []
    }
  })
  if (failures.length > 0) {
    const listed = failures.slice(0, 10).map((f) => `${f.credentialId} (key version ${f.keyVersion})`).join(', ')
    throw new PlatformError(
      VaultErrorCode.DECRYPT_FAILED,
      `Key rotation changed nothing: ${failures.length} credential(s) cannot be decrypted with the key ring (versions ${ring.versions.join(', ')}): ${listed}. ` +
        'Add the keys that encrypted them back to the ring, or delete those credentials, then rotate again.',
      { details: { failures, ringVersions: ring.versions } },
    )
  }
  return updates
}

/**
 * Re-encrypt every row under the ring's newest key version. The rewrite is one UPDATE statement
 * (atomic: all rows or none). A row rewritten by someone else since it was read (its IV changed)
 * is left alone: that write already used the newest key.
 */
export async function rotateAll(deps: RotateDeps): Promise<RotationReport> {
  const { db, table, ring } = deps
  const [{ n: total } = { n: 0 }] = await db.query<{ n: number }>(`select count(*)::int as "n" from ${table}`)
  const stale = await db.query<SealedRow>(`select ${SEALED_COLUMNS} from ${table} where "key_version" <> $1 order by "id"`, [ring.current])
  const updates = reencrypt(stale, ring)
  const fromVersions: Record<string, number> = {}
  let rotated = 0
  if (updates.length > 0) {
    const done = await db.query<{ id: string }>(
      `update ${table} as c set "ciphertext" = decode(r."ciphertext", 'base64'), "iv" = decode(r."iv", 'base64'), ` +
        `"auth_tag" = decode(r."auth_tag", 'base64'), "key_version" = r."key_version", "rotated_at" = $2::timestamptz ` +
        `from jsonb_to_recordset($1::jsonb) as r("id" text, "old_iv" text, "ciphertext" text, "iv" text, "auth_tag" text, "key_version" int) ` +
        `where c."id" = r."id" and c."iv" = decode(r."old_iv", 'base64') returning c."id"`,
      [JSON.stringify(updates), deps.now],
    )
    const rewritten = new Set(done.map((row) => row.id))
    rotated = rewritten.size
    for (const row of stale) {
      if (rewritten.has(row.id)) fromVersions[String(row.key_version)] = (fromVersions[String(row.key_version)] ?? 0) + 1
    }
  }
  return { keyVersion: ring.current, total, rotated, alreadyCurrent: total - stale.length, changedMeanwhile: stale.length - rotated, fromVersions }
}

/** One line for the CLI. */
export function describeRotation(report: RotationReport): string {
  const from = Object.entries(report.fromVersions)
    .map(([version, count]) => `${count} from v${version}`)
    .join(', ')
  return (
    `vault-rotate: ${report.rotated} credential(s) re-encrypted under key v${report.keyVersion}${from ? ` (${from})` : ''}; ` +
    `${report.alreadyCurrent} already under v${report.keyVersion}; ${report.changedMeanwhile} rewritten meanwhile by another writer; ${report.total} in total.`
  )
}
