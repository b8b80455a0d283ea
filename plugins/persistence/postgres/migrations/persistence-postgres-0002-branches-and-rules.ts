import { Migration } from '@mikro-orm/migrations'

/**
 * persistence-postgres 0002: a session's own permission rules and where it was forked from; per
 * message the tools offered to the model and when a regenerated answer replaced it.
 */
export class PersistencePostgres0002BranchesAndRules extends Migration {
  #table(name: string): string {
    return `"${this.config.get('schema')}"."${name}"`
  }

  override up(): void {
    const session = this.#table('session')
    const message = this.#table('message')
    this.addSql(`alter table ${session} add column "permission_rules" jsonb not null default '[]'::jsonb, add column "forked_from" jsonb null`)
    this.addSql(`alter table ${message} add column "tool_set" jsonb null, add column "superseded_at" timestamptz null`)
  }

  override down(): void {
    this.addSql(`alter table ${this.#table('message')} drop column "superseded_at", drop column "tool_set"`)
    this.addSql(`alter table ${this.#table('session')} drop column "forked_from", drop column "permission_rules"`)
  }
}
