import { Secret, type Credential, type CredentialResolver, type Logger, type ModelRequest, type ProviderCallOptions, type StreamChunk } from '../../../kernel/index.js'
import { sseBody, type CaptureServer, type CapturedResponse } from '../../../kernel/testing/capture-server.js'
import { createAnthropicClient } from './client.js'
import { configSchema } from './config.js'
import { RateLimitState } from './rate-limit.js'

/** Test helpers for provider-anthropic (recorded-shape stream fixtures, a fake credentials service). */

export const API_KEY = 'test-key-0000'
// Built from parts so the source holds nothing shaped like a real token.
export const OAUTH_TOKEN = ['sk-ant-oat01', 'test', 'token', '0000'].join('-')

export const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quietLogger }

export function credential(mode: Credential['mode'] = 'api_key', value = mode === 'oauth' ? OAUTH_TOKEN : API_KEY): Credential {
  return { providerId: 'anthropic', mode, secret: new Secret(value, 'test'), source: mode === 'oauth' ? 'oauth' : 'env', sourceId: 'test' }
}

/** A `credentials` service answering with `found`; `refresh` answers with `renewed` and is counted. */
export function fakeCredentials(found: Credential | null, renewed: Credential | null = null) {
  const calls = { resolve: [] as unknown[], refresh: [] as Array<{ secret: string; reason: string }> }
  const resolver: CredentialResolver = {
    async resolve(query) {
      calls.resolve.push(query)
      return found
    },
    async refresh(c, reason) {
      calls.refresh.push({ secret: c.secret.reveal(), reason })
      return renewed
    },
  }
  return { resolver, calls }
}

/** Route https://api.anthropic.com to the capture server, so the anthropic.com host rules apply. */
export function redirectFetch(server: CaptureServer): typeof fetch {
  return ((url: string | URL | Request, init?: RequestInit) => fetch(String(url).replace('https://api.anthropic.com', server.url), init)) as typeof fetch
}

export function makeClient(server: CaptureServer, options: Record<string, unknown> = {}, credentials = fakeCredentials(credential()).resolver) {
  const parsed = configSchema.parse({ baseUrl: 'https://api.anthropic.com', retry: { attempts: 3, initialDelayMs: 5, maxDelayMs: 20 }, ...options })
  const limits = new RateLimitState()
  const client = createAnthropicClient({ options: parsed, credentials: () => credentials, logger: quietLogger, limits, fetch: redirectFetch(server) })
  return { client, limits }
}

export function callOptions(signal: AbortSignal = new AbortController().signal): ProviderCallOptions {
  return { signal, session: { id: 'ses_test' } as ProviderCallOptions['session'], turnId: 'trn_test' }
}

export function modelRequest(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return { provider: 'anthropic', model: 'claude-sonnet-4-20250514', activity: 'conversation', system: 'You are a test agent.', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }], tools: [], extra: {}, ...overrides }
}

export async function drain(stream: AsyncIterable<StreamChunk>): Promise<StreamChunk[]> {
  const out: StreamChunk[] = []
  for await (const chunk of stream) out.push(chunk)
  return out
}

// ---- recorded-shape stream events (as api.anthropic.com sends them) ----

type Event = Record<string, unknown> & { type: string }

export const ev = {
  start: (usage: Record<string, unknown> = { input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 }): Event => ({
    type: 'message_start',
    message: { id: 'msg_01Test', type: 'message', role: 'assistant', model: 'claude-sonnet-4-20250514', content: [], stop_reason: null, stop_sequence: null, usage },
  }),
  blockStart: (index: number, block: Record<string, unknown>): Event => ({ type: 'content_block_start', index, content_block: block }),
  text: (index: number, text: string): Event => ({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } }),
  thinking: (index: number, thinking: string): Event => ({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking } }),
  signature: (index: number, signature: string): Event => ({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature } }),
  json: (index: number, partial_json: string): Event => ({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } }),
  blockStop: (index: number): Event => ({ type: 'content_block_stop', index }),
  delta: (stop_reason: string, usage: Record<string, unknown> = { output_tokens: 20 }): Event => ({ type: 'message_delta', delta: { stop_reason, stop_sequence: null }, usage }),
  stop: (): Event => ({ type: 'message_stop' }),
  ping: (): Event => ({ type: 'ping' }),
}

/** SSE chunks for events (event name = type). */
export function sse(events: Event[]): string[] {
  return sseBody(events.map((e) => [e.type, e]))
}

export const streamResponse = (events: Event[], extra: Partial<CapturedResponse> = {}): CapturedResponse => ({
  status: 200,
  chunks: sse(events),
  ...extra,
  headers: { 'content-type': 'text/event-stream', ...extra.headers },
})

/** A plain text answer. */
export const textReply = (text = 'Hi there.') => [ev.start(), ev.blockStart(0, { type: 'text', text: '' }), ev.text(0, text), ev.blockStop(0), ev.delta('end_turn'), ev.stop()]

export const errorResponse = (status: number, type: string, message: string, headers: Record<string, string> = {}): CapturedResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify({ type: 'error', error: { type, message } }),
})
