import type { ToolSpec } from '../../../kernel/index.js'

/** A tool as the Messages API takes it. */
export interface AnthropicTool {
  name: string
  description: string
  input_schema: { type: 'object'; properties: Record<string, unknown>; required: string[] }
}

type Schema = Record<string, unknown>

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value)

/** JSON-schema `type` as one lowercase name; a nullable union keeps its non-null member. */
function normalizeType(type: unknown): string {
  if (typeof type === 'string') return type.toLowerCase()
  if (Array.isArray(type)) {
    const first = type.find((t) => typeof t === 'string' && t !== 'null')
    return typeof first === 'string' ? first.toLowerCase() : 'string'
  }
  return 'string'
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value
  if (typeof value === 'string' && !Number.isNaN(parseFloat(value))) return parseFloat(value)
  return undefined
}

function convertProperties(properties: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(properties)) if (isSchema(value)) out[key] = convertProperty(value)
  return out
}

/**
 * One property, reduced to the fields llxprt's schema converter keeps (type, description, enum, items,
 * properties, required, bounds, default). A property with no `type` but a union (anyOf/oneOf) keeps
 * the union instead of becoming a string.
 */
function convertProperty(prop: Schema): Schema {
  const union = prop.type === undefined ? (['anyOf', 'oneOf'] as const).find((k) => Array.isArray(prop[k])) : undefined
  const out: Schema = union ? { [union]: (prop[union] as unknown[]).filter(isSchema).map(convertProperty) } : { type: normalizeType(prop.type) }
  if (typeof prop.description === 'string') out.description = prop.description
  if (Array.isArray(prop.enum)) out.enum = prop.enum.map((v) => String(v))
  const items = Array.isArray(prop.items) ? prop.items[0] : prop.items
  if (isSchema(items)) out.items = convertProperty(items)
  if (isSchema(prop.properties)) {
    out.properties = convertProperties(prop.properties)
    if (Array.isArray(prop.required)) out.required = prop.required.map(String)
    else if (out.type === 'object') out.required = []
  }
  for (const bound of ['minimum', 'maximum', 'minLength', 'maxLength'] as const) {
    if (prop[bound] !== undefined) out[bound] = toNumber(prop[bound])
  }
  if (prop.default !== undefined) out.default = prop.default
  return out
}

/** Top-level keys in code-point order, for a byte-stable (cacheable) prefix. */
function sortKeys(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(object).sort().map((key) => [key, object[key]]))
}

/**
 * Tools in the Messages API shape, sorted by name, with each schema's top-level properties sorted
 * (llxprt does both for cache stability). OAuth calls prefix every name (see `prefix`).
 */
export function toAnthropicTools(tools: ToolSpec[], prefix = ''): AnthropicTool[] {
  return tools
    .map((tool): AnthropicTool => {
      const schema = tool.inputSchema
      return {
        name: `${prefix}${tool.name}`,
        description: tool.description ?? '',
        input_schema: {
          type: 'object',
          properties: sortKeys(isSchema(schema.properties) ? convertProperties(schema.properties) : {}),
          required: Array.isArray(schema.required) ? schema.required.map(String) : [],
        },
      }
    })
    .sort((a, b) => a.name.localeCompare(b.name))
}
