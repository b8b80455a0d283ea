import type { ModelRequest } from '../../../kernel/index.js'
import type { AnthropicOptions } from './config.js'
import { toWireMessages, type CacheControl, type ContentBlock, type WireMessage } from './messages.js'
import { maxTokensFor, thinkingByDefault } from './models.js'
import { thinkingParams, thinks } from './thinking.js'
import { toAnthropicTools } from './tools.js'

/** What a Claude subscription (OAuth) call must look like (spec §4.2; dated strings rotate). */
export const OAUTH = {
  betas: ['oauth-2025-04-20', 'interleaved-thinking-2025-05-14'],
  userAgent: 'claude-cli/2.1.2 (external, cli)',
  identity: "You are Claude Code, Anthropic's official CLI for Claude.",
  toolPrefix: 'llxprt_',
  boundary: 'User provided conversation begins here:',
} as const

export const EXTENDED_CACHE_TTL_BETA = 'extended-cache-ttl-2025-04-11'

/** Top-level fields a request.build tap may set through `extra` (llxprt's model-param whitelist). */
const PASSTHROUGH = ['temperature', 'top_p', 'top_k', 'stop_sequences', 'metadata', 'service_tier']
/** Sampling fields llxprt's alias marks unallowed for Claude models (they conflict with thinking). */
const UNALLOWED_FOR_CLAUDE = new Set(['temperature', 'top_p', 'top_k'])

export interface CallShape {
  baseUrl: string
  /** The credential is a Claude subscription token. */
  oauth: boolean
  options: AnthropicOptions
}

export interface BuiltRequest {
  body: Record<string, unknown>
  /** Per-request headers (they override the SDK's and the client's defaults). */
  headers: Record<string, string>
}

/** anthropic.com or a subdomain: the only hosts that get cache markers, the TTL beta and OAuth tokens. */
export function isAnthropicHost(baseUrl: string): boolean {
  try {
    const host = new URL(baseUrl).hostname.toLowerCase()
    return host === 'anthropic.com' || host.endsWith('.anthropic.com')
  } catch {
    return false
  }
}

/** Comma-and-space joined, without duplicates, existing values first. */
export function mergeBetas(existing: string | undefined, ...additions: string[]): string {
  const parts = new Set((existing ?? '').split(',').map((s) => s.trim()).filter(Boolean))
  for (const addition of additions) parts.add(addition)
  return [...parts].join(', ')
}

function cached(block: ContentBlock, cache_control: CacheControl): ContentBlock {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text, cache_control }
    case 'tool_use':
      return { type: 'tool_use', id: block.id, name: block.name, input: block.input, cache_control }
    case 'tool_result':
      return { type: 'tool_result', tool_use_id: block.tool_use_id, content: block.content, ...(block.is_error !== undefined ? { is_error: block.is_error } : {}), cache_control }
    default:
      return block
  }
}

/** The rolling cache breakpoint: the last non-thinking, non-empty block of the last message. */
function markLastBlock(messages: WireMessage[], ttl: '5m' | '1h'): void {
  const last = messages[messages.length - 1]
  const control: CacheControl = { type: 'ephemeral', ttl }
  if (typeof last.content === 'string') {
    if (last.content.trim() !== '') last.content = [{ type: 'text', text: last.content, cache_control: control }]
    return
  }
  const blank = (b: ContentBlock) => (b.type === 'text' && b.text.trim() === '') || (b.type === 'tool_result' && b.content.trim() === '')
  for (let i = last.content.length - 1; i >= 0; i--) {
    const block = last.content[i]
    if (block.type === 'thinking' || block.type === 'redacted_thinking' || blank(block)) continue
    last.content[i] = cached(block, control)
    return
  }
}

function systemField(system: string, oauth: boolean, ttl: '5m' | '1h' | null): unknown {
  if (oauth) return OAUTH.identity
  if (!system) return undefined
  return ttl ? [{ type: 'text', text: system, cache_control: { type: 'ephemeral', ttl } }] : system
}

/** OAuth: the real system prompt opens the conversation as a user message. */
function contextPrefix(system: string, ttl: '5m' | '1h' | null): WireMessage {
  const text = `<system>\n${system}\n</system>\n\n${OAUTH.boundary}`
  return { role: 'user', content: ttl ? [{ type: 'text', text, cache_control: { type: 'ephemeral', ttl } }] : text }
}

function maxTokens(request: ModelRequest, options: AnthropicOptions): number {
  const override = request.extra.max_tokens
  if (typeof override === 'number' && Number.isInteger(override) && override > 0) return override
  return options.maxTokens ?? maxTokensFor(request.model)
}

function requestHeaders(extra: Record<string, unknown>, oauth: boolean, ttlBeta: boolean): Record<string, string> {
  const custom = typeof extra.headers === 'object' && extra.headers !== null ? (extra.headers as Record<string, string>) : {}
  const headers: Record<string, string> = {}
  let beta: string | undefined
  for (const [name, value] of Object.entries(custom)) {
    if (name.toLowerCase() === 'anthropic-beta') beta = String(value)
    else headers[name] = String(value)
  }
  if (oauth) {
    beta = mergeBetas(beta, ...OAUTH.betas)
    for (const name of Object.keys(headers)) if (name.toLowerCase() === 'user-agent') delete headers[name]
    headers['User-Agent'] = OAUTH.userAgent
  }
  if (ttlBeta) beta = mergeBetas(beta, EXTENDED_CACHE_TTL_BETA)
  if (beta) headers['anthropic-beta'] = beta
  return headers
}

/** The Messages API body and per-request headers for one call, as llxprt builds them (spec §3, §4.2). */
export function buildRequest(request: ModelRequest, shape: CallShape): BuiltRequest {
  const { options, oauth } = shape
  const ttl = options.promptCaching !== 'off' && isAnthropicHost(shape.baseUrl) ? options.promptCaching : null
  const thinking = thinkingParams(request.model, options.thinking)
  const messages = toWireMessages(request.messages, { thinking: thinks(thinking) })
  if (oauth && request.system) messages.unshift(contextPrefix(request.system, ttl))
  if (ttl) markLastBlock(messages, ttl)
  const body: Record<string, unknown> = { model: request.model, messages, max_tokens: maxTokens(request, options), stream: true }
  for (const key of PASSTHROUGH) {
    if (request.extra[key] === undefined || request.extra[key] === null) continue
    if (UNALLOWED_FOR_CLAUDE.has(key) && thinkingByDefault(request.model)) continue
    body[key] = request.extra[key]
  }
  const system = systemField(request.system, oauth, ttl)
  if (system !== undefined) body.system = system
  const tools = toAnthropicTools(request.tools, oauth ? OAUTH.toolPrefix : '')
  if (tools.length > 0) body.tools = tools
  if (thinking.thinking) body.thinking = thinking.thinking
  if (thinking.output_config) body.output_config = thinking.output_config
  return { body, headers: requestHeaders(request.extra, oauth, ttl === '1h') }
}
