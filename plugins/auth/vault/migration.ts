import type { PluginMigration } from '../../persistence/postgres/services.js'

export const TABLE = 'auth_credential'

/** `"<schema>"."auth_credential"`. */
export const tableIn = (schema: string): string => `"${schema}"."${TABLE}"`

/**
 * auth-vault 0001: the auth_credential table. The secret and the refresh token live only in
 * `ciphertext` (AES-256-GCM, AAD `id|provider_id|mode`); every other column is non-secret.
 */
export const CREDENTIAL_MIGRATION: PluginMigration = {
  name: 'auth-vault-0001-credential',
  up: (schema) => [
    `create table ${tableIn(schema)} (` +
      `"id" text not null, "provider_id" text not null, ` +
      `"mode" text not null constraint "auth_credential_mode_check" check ("mode" in ('api_key', 'oauth')), ` +
      `"label" text null, "hint" text not null, ` +
      `"ciphertext" bytea not null, ` +
      `"iv" bytea not null constraint "auth_credential_iv_check" check (octet_length("iv") = 12), ` +
      `"auth_tag" bytea not null constraint "auth_credential_auth_tag_check" check (octet_length("auth_tag") = 16), ` +
      `"key_version" int not null, "expires_at" timestamptz null, ` +
      `"scopes" jsonb not null default '[]', "meta" jsonb not null default '{}', ` +
      `"status" text not null default 'active' constraint "auth_credential_status_check" check ("status" in ('active', 'refresh_failed', 'revoked')), ` +
      `"last_used_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "rotated_at" timestamptz null, ` +
      `constraint "auth_credential_pkey" primary key ("id"))`,
    `create index "auth_credential_provider_id_mode_index" on ${tableIn(schema)} ("provider_id", "mode", "updated_at")`,
    `create index "auth_credential_key_version_index" on ${tableIn(schema)} ("key_version")`,
  ],
  down: (schema) => [`drop table if exists ${tableIn(schema)}`],
}

/** auth-vault 0002: credentials of one user (API tokens belong to users); null = server-wide. */
export const OWNER_MIGRATION: PluginMigration = {
  name: 'auth-vault-0002-owner',
  up: (schema) => [
    `alter table ${tableIn(schema)} add column "owner_id" text null`,
    `create index "auth_credential_owner_id_index" on ${tableIn(schema)} ("owner_id", "provider_id", "mode")`,
  ],
  down: (schema) => [`drop index if exists "${schema}"."auth_credential_owner_id_index"`, `alter table ${tableIn(schema)} drop column "owner_id"`],
}
