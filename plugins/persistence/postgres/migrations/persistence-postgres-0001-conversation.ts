import { Migration } from '@mikro-orm/migrations'

/**
 * persistence-postgres 0001: the conversation tables (session, message, message_part) and their
 * indexes. Table names are qualified with the schema of the ORM config, so one schema per test
 * works; plain SQL that PostgreSQL 15 and PGlite (PostgreSQL 18) both accept.
 */
export class PersistencePostgres0001Conversation extends Migration {
  #table(name: string): string {
    return `"${this.config.get('schema')}"."${name}"`
  }

  override up(): void {
    const session = this.#table('session')
    const message = this.#table('message')
    const part = this.#table('message_part')
    this.addSql(
      `create table ${session} ("id" text not null, "parent_id" text null, "root_id" text not null, "title" text null, ` +
        `"agent_id" text not null, "provider_id" text not null, "model_id" text not null, "tool_set" jsonb not null, ` +
        `"workspace" text not null, "status" text not null, "last_seq" bigint not null default 0, ` +
        `"created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "session_pkey" primary key ("id"))`,
    )
    this.addSql(`create index "session_parent_id_index" on ${session} ("parent_id")`)
    this.addSql(`create index "session_updated_at_index" on ${session} ("updated_at")`)
    this.addSql(
      `create table ${message} ("id" text not null, "session_id" text not null, "turn_id" text not null, "role" text not null, ` +
        `"agent_id" text not null, "provider_id" text not null, "model_id" text not null, "finish" text null, "error" jsonb null, ` +
        `"created_at" timestamptz not null, "completed_at" timestamptz null, constraint "message_pkey" primary key ("id"))`,
    )
    this.addSql(`create index "message_session_id_created_at_index" on ${message} ("session_id", "created_at")`)
    this.addSql(
      `create table ${part} ("id" text not null, "message_id" text not null, "session_id" text not null, "ordinal" int not null, ` +
        `"kind" text not null, "data" jsonb not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, ` +
        `constraint "message_part_pkey" primary key ("id"))`,
    )
    this.addSql(`create index "message_part_message_id_ordinal_index" on ${part} ("message_id", "ordinal")`)
  }

  override down(): void {
    this.addSql(`drop table if exists ${this.#table('message_part')}`)
    this.addSql(`drop table if exists ${this.#table('message')}`)
    this.addSql(`drop table if exists ${this.#table('session')}`)
  }
}
