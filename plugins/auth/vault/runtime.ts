import { isPlatformError, PlatformError, type Clock, type CommandDefinition, type CredentialStore, type Ids, type Logger } from '../../../kernel/index.js'
import type { PersistencePostgresService } from '../../persistence/postgres/services.js'
import { unseal } from './cipher.js'
import type { AuthVaultOptions } from './config.js'
import { VaultErrorCode } from './errors.js'
import { loadKeyRing } from './keyring.js'
import { tableIn } from './migration.js'
import { describeRotation, rotateAll } from './rotate.js'
import { identityOf, SEALED_COLUMNS, sealedOf, type SealedRow } from './rows.js'
import type { AuthVaultService } from './services.js'
import { createVaultStore, type VaultStoreDeps } from './store.js'

export interface VaultRuntimeDeps {
  options: AuthVaultOptions
  /** The kernel's data directory (the generated key file goes there). */
  dataDir: string
  logger: Logger
}

export interface VaultStartDeps {
  db: PersistencePostgresService
  clock: Clock
  ids: Ids
}

export interface VaultRuntime {
  readonly store: CredentialStore
  readonly service: AuthVaultService
  readonly rotateCommand: CommandDefinition
  start(deps: VaultStartDeps): Promise<void>
  stop(): void
}

async function countByKeyVersion(deps: VaultStoreDeps): Promise<Record<string, number>> {
  const sql = `select "key_version", count(*)::int as "n" from ${deps.table} group by "key_version" order by "key_version"`
  const rows = await deps.db.query<{ key_version: number; n: number }>(sql)
  return Object.fromEntries(rows.map((row) => [String(row.key_version), row.n]))
}

/** Boot check: the newest row of every key version in use decrypts (failures are logged, never fatal). */
async function checkRows(deps: VaultStoreDeps, counts: Record<string, number>, logger: Logger): Promise<void> {
  const { db, table, ring } = deps
  const sql = `select ${SEALED_COLUMNS} from ${table} where "key_version" = $1 order by "updated_at" desc, "id" desc limit 1`
  for (const version of Object.keys(counts).map(Number)) {
    const [row] = await db.query<SealedRow>(sql, [version])
    try {
      if (row) unseal(ring, sealedOf(row), identityOf(row))
    } catch (error) {
      if (!isPlatformError(error)) throw error
      logger.error('stored credentials cannot be decrypted with the key ring', { code: error.code, keyVersion: version, credentials: counts[String(version)], error: error.message })
    }
  }
}

function rotateCommand(service: AuthVaultService): CommandDefinition {
  return {
    id: 'vault-rotate',
    description: 'Re-encrypt every stored credential under the newest vault key version',
    async run(_args, io) {
      io.out(describeRotation(await service.rotate()))
      return 0
    },
  }
}

export function createVaultRuntime(deps: VaultRuntimeDeps): VaultRuntime {
  const { logger } = deps
  let started: VaultStoreDeps | null = null
  const current = (): VaultStoreDeps => {
    if (started) return started
    throw new PlatformError(VaultErrorCode.NOT_STARTED, 'The credential vault is not open: auth-vault has not started yet, or has shut down.', {
      retryable: true,
      httpStatus: 503,
    })
  }
  const service: AuthVaultService = {
    keyVersions: () => [...current().ring.versions],
    keySource: () => current().ring.source,
    countByKeyVersion: () => countByKeyVersion(current()),
    async rotate() {
      const { db, table, ring, clock } = current()
      const report = await rotateAll({ db, table, ring, now: clock.now().toISOString() })
      logger.info('credentials re-encrypted under the newest key', { ...report })
      return report
    },
  }
  return {
    store: createVaultStore(current),
    service,
    rotateCommand: rotateCommand(service),
    async start(start) {
      const ring = loadKeyRing({ keys: deps.options.keys, dataDir: deps.dataDir, logger })
      started = { db: start.db, table: tableIn(start.db.schema), ring, clock: start.clock, ids: start.ids }
      const credentials = await countByKeyVersion(started)
      await checkRows(started, credentials, logger)
      logger.info('vault ready', { keySource: ring.source, keyVersions: ring.versions, encryptsWith: ring.current, credentials })
    },
    stop() {
      started = null
    },
  }
}
