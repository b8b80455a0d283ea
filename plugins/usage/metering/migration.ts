import type { PluginMigration } from '../../persistence/postgres/services.js'

export const q = (schema: string, table: string) => `"${schema}"."${table}"`

/**
 * usage-metering 0001: the ledger (one row per model call), its attribution parts, and running
 * totals (per message, per session, per session tree, per UTC day). Money columns are numeric(38,0)
 * pico-USD: whole numbers far past bigint's range. No foreign keys (as persistence-postgres).
 */
export const USAGE_MIGRATION: PluginMigration = {
  name: 'usage-metering-0001-ledger',
  up: (schema) => [
    `create table ${q(schema, 'usage_ledger')} (` +
      `"id" text not null, "session_id" text not null, "root_session_id" text not null, "parent_session_id" text null, ` +
      `"ancestor_ids" text[] not null default '{}', "parent_turn_id" text null, "message_id" text null, "turn_id" text not null, ` +
      `"step" integer not null, "provider" text not null, "model" text not null, "activity" text not null, ` +
      `"input" bigint not null, "output" bigint not null, "reasoning" bigint not null, "cache_read" bigint not null, "cache_write" bigint not null, ` +
      `"cost_pico" numeric(38,0) null, "price_source" text null, "latency_ms" integer null, "raw" jsonb null, "created_at" timestamptz not null, ` +
      `constraint "usage_ledger_pkey" primary key ("id"))`,
    `create index "usage_ledger_session_idx" on ${q(schema, 'usage_ledger')} ("session_id", "created_at")`,
    `create index "usage_ledger_root_idx" on ${q(schema, 'usage_ledger')} ("root_session_id")`,
    `create index "usage_ledger_created_idx" on ${q(schema, 'usage_ledger')} ("created_at")`,
    `create index "usage_ledger_ancestors_idx" on ${q(schema, 'usage_ledger')} using gin ("ancestor_ids")`,
    `create table ${q(schema, 'usage_attribution')} (` +
      `"ledger_id" text not null, "activity" text not null, "tool" text not null default '', "tokens" bigint not null, "cost_pico" numeric(38,0) null, ` +
      `constraint "usage_attribution_pkey" primary key ("ledger_id", "activity", "tool"))`,
    `create table ${q(schema, 'usage_total')} (` +
      `"scope" text not null, "key" text not null, "calls" integer not null, "unpriced_calls" integer not null, ` +
      `"input" bigint not null, "output" bigint not null, "reasoning" bigint not null, "cache_read" bigint not null, "cache_write" bigint not null, ` +
      `"cost_pico" numeric(38,0) not null, "updated_at" timestamptz not null, constraint "usage_total_pkey" primary key ("scope", "key"))`,
  ],
  down: (schema) => ['usage_total', 'usage_attribution', 'usage_ledger'].map((t) => `drop table if exists ${q(schema, t)}`),
}
