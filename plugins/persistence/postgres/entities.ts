import { BigIntType, EntitySchema } from '@mikro-orm/core'

/**
 * The conversation tables as MikroORM entity schemas (no decorators, so tsx needs no metadata).
 * Every property names its `type`. The schema (namespace) is never written here: it comes from the
 * ORM config at runtime, so tests can use one schema per file. The DDL lives in ./migrations/.
 */

export interface SessionRow {
  id: string
  parentId: string | null
  rootId: string
  title: string | null
  agentId: string
  providerId: string
  modelId: string
  toolSet: string[]
  workspace: string
  permissionRules: Array<{ tool: string; match?: string; action: 'allow' | 'ask' | 'deny' }>
  forkedFrom: { sessionId: string; messageId: string } | null
  ownerId: string | null
  status: string
  lastSeq: number
  createdAt: Date
  updatedAt: Date
}

export interface MessageRow {
  id: string
  sessionId: string
  turnId: string
  role: string
  agentId: string
  providerId: string
  modelId: string
  finish: string | null
  error: { code: string; message: string } | null
  createdAt: Date
  completedAt: Date | null
  toolSet: string[] | null
  supersededAt: Date | null
}

export interface MessagePartRow {
  id: string
  messageId: string
  sessionId: string
  ordinal: number
  kind: string
  data: Record<string, unknown>
  createdAt: Date
  updatedAt: Date
}

const text = { type: 'text' } as const
const nullableText = { type: 'text', nullable: true } as const
const timestamp = { type: 'datetime', columnType: 'timestamptz' } as const

export const SessionEntity = new EntitySchema<SessionRow>({
  name: 'PersistenceSession',
  tableName: 'session',
  properties: {
    id: { ...text, primary: true },
    parentId: nullableText,
    rootId: text,
    title: nullableText,
    agentId: text,
    providerId: text,
    modelId: text,
    toolSet: { type: 'json' },
    workspace: text,
    permissionRules: { type: 'json', default: '[]' },
    forkedFrom: { type: 'json', nullable: true },
    ownerId: nullableText,
    status: text,
    lastSeq: { type: new BigIntType('number'), columnType: 'bigint', default: 0 },
    createdAt: timestamp,
    updatedAt: timestamp,
  },
  indexes: [
    { name: 'session_parent_id_index', properties: ['parentId'] },
    { name: 'session_updated_at_index', properties: ['updatedAt'] },
    { name: 'session_owner_id_index', properties: ['ownerId'] },
  ],
})

export const MessageEntity = new EntitySchema<MessageRow>({
  name: 'PersistenceMessage',
  tableName: 'message',
  properties: {
    id: { ...text, primary: true },
    sessionId: text,
    turnId: text,
    role: text,
    agentId: text,
    providerId: text,
    modelId: text,
    finish: nullableText,
    error: { type: 'json', nullable: true },
    createdAt: timestamp,
    completedAt: { ...timestamp, nullable: true },
    toolSet: { type: 'json', nullable: true },
    supersededAt: { ...timestamp, nullable: true },
  },
  indexes: [{ name: 'message_session_id_created_at_index', properties: ['sessionId', 'createdAt'] }],
})

export const MessagePartEntity = new EntitySchema<MessagePartRow>({
  name: 'PersistenceMessagePart',
  tableName: 'message_part',
  properties: {
    id: { ...text, primary: true },
    messageId: text,
    sessionId: text,
    ordinal: { type: 'integer' },
    kind: text,
    data: { type: 'json' },
    createdAt: timestamp,
    updatedAt: timestamp,
  },
  indexes: [
    { name: 'message_part_message_id_ordinal_index', properties: ['messageId', 'ordinal'] },
    { name: 'message_part_session_id_index', properties: ['sessionId'] },
  ],
})

export const ENTITIES = [SessionEntity, MessageEntity, MessagePartEntity]
