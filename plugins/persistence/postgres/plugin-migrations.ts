import type { MigrationObject } from '@mikro-orm/core'
import { Migration } from '@mikro-orm/migrations'
import { PlatformError } from '../../../kernel/index.js'
import { PersistenceErrorCode } from './errors.js'
import type { PluginMigration } from './services.js'

/** `<plugin-id>-NNNN-<what>`: lowercase words joined by dashes, a four-digit number, a description. */
const NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*-\d{4}-[a-z0-9]+(?:-[a-z0-9]+)*$/
const OWN_PREFIX = 'persistence-postgres-'

/** Migrations added by dependent plugins during register, applied after this plugin's own. */
export interface PluginMigrations {
  add(migration: PluginMigration): void
  /** Stop accepting migrations (called when lifecycle.start begins). */
  close(): void
  /** MikroORM migration objects, in the order they were added. */
  objects(): MigrationObject[]
}

function invalid(message: string, name: unknown): PlatformError {
  return new PlatformError(PersistenceErrorCode.MIGRATION_INVALID, message, { details: { migration: String(name) } })
}

function check(migration: PluginMigration, known: ReadonlySet<string>): void {
  const name = migration?.name
  if (typeof name !== 'string' || !NAME.test(name) || name.startsWith(OWN_PREFIX)) {
    throw invalid(
      `The migration name "${String(name)}" is not usable: name it <your-plugin-id>-NNNN-<what> (e.g. auth-vault-0001-credential); ` +
        `the prefix ${OWN_PREFIX} is reserved for persistence-postgres itself.`,
      name,
    )
  }
  if (typeof migration.up !== 'function') throw invalid(`The migration "${name}" has no up(schema) function returning its SQL statements.`, name)
  if (known.has(name)) throw invalid(`The migration "${name}" was added twice; migration names must be unique.`, name)
}

/** Wrap a plugin migration in a MikroORM Migration class; the schema comes from the ORM config at run time. */
function toMigrationObject(migration: PluginMigration): MigrationObject {
  class PluginMigrationRunner extends Migration {
    override up(): void {
      for (const sql of migration.up(this.config.get('schema') as string)) this.addSql(sql)
    }
    override down(): void {
      if (!migration.down) throw new Error(`The migration ${migration.name} cannot be reverted: it has no down().`)
      for (const sql of migration.down(this.config.get('schema') as string)) this.addSql(sql)
    }
  }
  return { name: migration.name, class: PluginMigrationRunner }
}

export function createPluginMigrations(): PluginMigrations {
  const added: PluginMigration[] = []
  let closed = false
  return {
    add(migration) {
      if (closed) {
        throw invalid(
          `The migration "${String(migration?.name)}" was added after persistence-postgres started; ` +
            'add it during your plugin\'s register and list persistence-postgres in dependsOn.',
          migration?.name,
        )
      }
      check(migration, new Set(added.map((m) => m.name)))
      added.push({ ...migration })
    },
    close() {
      closed = true
    },
    objects: () => added.map(toMigrationObject),
  }
}
