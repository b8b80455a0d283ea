import { createHash } from 'node:crypto'
import type { ChatMessage, ToolSpec } from '../../../kernel/index.js'

/**
 * A call id as OpenAI expects it (`call_<suffix>`, suffix limited to [A-Za-z0-9_-]); ids from
 * other providers (`toolu_…`, anything else) are mapped the same way on every turn, so a call
 * and its result keep matching.
 */
export function toOpenAIToolId(id: string): string {
  const suffix = id.startsWith('call_') ? id.slice(5) : id.startsWith('toolu_') ? id.slice(6) : id
  return `call_${suffix.replace(/[^A-Za-z0-9_-]/g, '')}`
}

/** OpenAI refuses `prompt_cache_key` longer than 64 characters: longer keys become `rk:` + a SHA-256 prefix. */
export function promptCacheKey(raw: string): string {
  const trimmed = raw.trim()
  if (trimmed.length <= 64) return trimmed
  return `rk:${createHash('sha256').update(trimmed).digest('hex').slice(0, 61)}`
}

/** Call ids that have both a call and a result in the history (dangling calls and orphan results are dropped). */
export function pairedCallIds(messages: ChatMessage[]): Set<string> {
  const calls = new Set<string>()
  const results = new Set<string>()
  for (const message of messages) {
    for (const part of message.content) {
      if (part.type === 'tool-call') calls.add(toOpenAIToolId(part.callId))
      if (part.type === 'tool-result') results.add(toOpenAIToolId(part.callId))
    }
  }
  return new Set([...calls].filter((id) => results.has(id)))
}

type Schema = Record<string, unknown>

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value)

const GEMINI_TYPES: Record<number, string> = { 1: 'string', 2: 'number', 3: 'integer', 4: 'boolean', 5: 'array', 6: 'object' }

function normaliseType(type: unknown): unknown {
  if (typeof type === 'string') return type.toLowerCase()
  if (typeof type === 'number') return GEMINI_TYPES[type] ?? 'string'
  if (Array.isArray(type)) return type
  return 'string'
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value
  const parsed = typeof value === 'string' ? Number.parseFloat(value) : Number.NaN
  return Number.isNaN(parsed) ? undefined : parsed
}

const HANDLED = new Set(['type', 'description', 'enum', 'items', 'properties', 'required', 'minimum', 'maximum', 'minLength', 'maxLength', 'default'])

/** One property schema: the known keywords normalised; with `passthrough`, every other keyword kept. */
function convertNode(node: Schema, passthrough: boolean): Schema {
  const out: Schema = { type: normaliseType(node.type) }
  if (typeof node.description === 'string') out.description = node.description
  if (Array.isArray(node.enum)) out.enum = node.enum.map(String)
  const items = Array.isArray(node.items) ? node.items[0] : node.items
  if (isSchema(items)) out.items = convertNode(items, passthrough)
  if (isSchema(node.properties)) out.properties = convertProperties(node.properties, passthrough)
  // Chat keeps `required` wherever it is; Responses only beside `properties`. Objects get [] when absent.
  if (Array.isArray(node.required) && (passthrough || out.properties)) out.required = node.required.map(String)
  else if (out.properties && out.type === 'object') out.required = []
  for (const key of ['minimum', 'maximum', 'minLength', 'maxLength'] as const) if (node[key] !== undefined) out[key] = toNumber(node[key])
  if (node.default !== undefined) out.default = node.default
  if (passthrough) {
    for (const [key, value] of Object.entries(node)) {
      if (HANDLED.has(key)) continue
      out[key] = passthroughValue(key, value)
    }
  }
  return out
}

function passthroughValue(key: string, value: unknown): unknown {
  if ((key === 'anyOf' || key === 'oneOf' || key === 'allOf') && Array.isArray(value)) return value.map((v) => (isSchema(v) ? convertNode(v, true) : v))
  if (['not', 'if', 'then', 'else', 'additionalProperties'].includes(key) && isSchema(value)) return convertNode(value, true)
  return value
}

function convertProperties(properties: Schema, passthrough: boolean): Schema {
  const out: Schema = {}
  for (const [name, value] of Object.entries(properties)) if (isSchema(value)) out[name] = convertNode(value, passthrough)
  return out
}

/**
 * Chat Completions `parameters`: `type: object`, properties normalised, `required` always an
 * array, `additionalProperties` and other top-level keywords kept (as llxprt's shared converter).
 */
export function chatParameters(schema: Schema): Schema {
  const out: Schema = { type: 'object', properties: isSchema(schema.properties) ? convertProperties(schema.properties, true) : {}, required: Array.isArray(schema.required) ? schema.required.map(String) : [] }
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'type' || key === 'properties' || key === 'required') continue
    if (key === 'additionalProperties' && typeof value !== 'boolean' && !isSchema(value)) continue
    out[key] = passthroughValue(key, value)
  }
  return out
}

/** Responses `parameters`: only `type`, `properties` and `required` (llxprt's Responses converter drops the rest). */
export function responsesParameters(schema: Schema): Schema {
  return { type: 'object', properties: isSchema(schema.properties) ? convertProperties(schema.properties, false) : {}, required: Array.isArray(schema.required) ? schema.required.map(String) : [] }
}

export function chatTools(tools: ToolSpec[]): Array<Record<string, unknown>> {
  return tools.map((tool) => ({ type: 'function', function: { name: tool.name, description: tool.description ?? '', parameters: chatParameters(tool.inputSchema) } }))
}

export function responsesTools(tools: ToolSpec[]): Array<Record<string, unknown>> {
  return tools.map((tool) => ({ type: 'function', name: tool.name, description: tool.description ?? null, parameters: responsesParameters(tool.inputSchema), strict: null }))
}
