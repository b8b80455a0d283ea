import { Migration } from '@mikro-orm/migrations'

/** persistence-postgres 0003: the user who owns a session (API tokens belong to users). */
export class PersistencePostgres0003SessionOwner extends Migration {
  #table(name: string): string {
    return `"${this.config.get('schema')}"."${name}"`
  }

  override up(): void {
    this.addSql(`alter table ${this.#table('session')} add column "owner_id" text null`)
    this.addSql(`create index "session_owner_id_index" on ${this.#table('session')} ("owner_id")`)
  }

  override down(): void {
    this.addSql(`drop index if exists "${this.config.get('schema')}"."session_owner_id_index"`)
    this.addSql(`alter table ${this.#table('session')} drop column "owner_id"`)
  }
}
