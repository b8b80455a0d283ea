import { Migration } from '@mikro-orm/migrations'

/**
 * persistence-postgres 0004: message parts by session. Reading a session's history and deleting a
 * session select parts by session id; without this index each did a scan of every session's parts.
 */
export class PersistencePostgres0004PartSessionIndex extends Migration {
  override up(): void {
    this.addSql(`create index "message_part_session_id_index" on "${this.config.get('schema')}"."message_part" ("session_id")`)
  }

  override down(): void {
    this.addSql(`drop index if exists "${this.config.get('schema')}"."message_part_session_id_index"`)
  }
}
