import type { MigrationObject } from '@mikro-orm/core'
import { PersistencePostgres0001Conversation } from './persistence-postgres-0001-conversation.js'
import { PersistencePostgres0002BranchesAndRules } from './persistence-postgres-0002-branches-and-rules.js'
import { PersistencePostgres0003SessionOwner } from './persistence-postgres-0003-session-owner.js'
import { PersistencePostgres0004PartSessionIndex } from './persistence-postgres-0004-part-session-index.js'

/**
 * Every migration of this plugin, in order. Names are prefixed with the plugin id and never change
 * once released: they are the keys stored in the migrations table.
 */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'persistence-postgres-0001-conversation', class: PersistencePostgres0001Conversation },
  { name: 'persistence-postgres-0002-branches-and-rules', class: PersistencePostgres0002BranchesAndRules },
  { name: 'persistence-postgres-0003-session-owner', class: PersistencePostgres0003SessionOwner },
  { name: 'persistence-postgres-0004-part-session-index', class: PersistencePostgres0004PartSessionIndex },
]
