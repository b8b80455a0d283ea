/** Helpers shared by this plugin's tests (not loaded by the plugin). */
import { Secret, type Credential, type CredentialQuery, type CredentialResolver, type Logger, type ModelRequest, type ProviderCallOptions, type ProviderClient, type StreamChunk } from '../../../kernel/index.js'
import { configSchema, type OpenaiProviderId } from './config.js'
import { openaiDefinitions } from './providers.js'

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger }

export function apiKey(providerId: string, value = 'test-key-0000'): Credential {
  return { providerId, mode: 'api_key', secret: new Secret(value, 'test'), source: 'env', sourceId: 'test' }
}

export function oauth(providerId: string, value: string, meta: Record<string, unknown> = { accountId: 'acct-test-0001' }): Credential {
  return { providerId, mode: 'oauth', secret: new Secret(value, 'test'), source: 'oauth', sourceId: 'test', meta, expiresAt: new Date(Date.now() + 3_600_000).toISOString() }
}

/** A credentials service answering from a map; `refresh` hands out `renewed` once and records the calls. */
export function fakeCredentials(found: Record<string, Credential>, renewed?: Credential): CredentialResolver & { queries: CredentialQuery[]; refreshes: string[] } {
  const queries: CredentialQuery[] = []
  const refreshes: string[] = []
  return {
    queries,
    refreshes,
    async resolve(query) {
      queries.push(query)
      const credential = found[query.providerId]
      return credential && (query.modes ?? ['api_key', 'oauth']).includes(credential.mode) ? credential : null
    },
    async refresh(credential, reason) {
      refreshes.push(`${credential.providerId}:${reason}`)
      return renewed ?? null
    },
  }
}

/** Tiny retry delays so retry tests run fast. */
export const FAST_RETRY = { attempts: 3, initialDelayMs: 5, maxDelayMs: 20, jitter: 0, maxRetryAfterMs: 5_000 }

export function clientFor(id: OpenaiProviderId, options: Record<string, unknown>, credentials: CredentialResolver): ProviderClient {
  const parsed = configSchema.parse({ retry: FAST_RETRY, ...options })
  const definition = openaiDefinitions(parsed, { credentials: () => credentials, version: () => '0.1.0', logger: silentLogger }).find((d) => d.id === id)
  if (!definition) throw new Error(`provider ${id} not registered`)
  return definition.createClient({ logger: silentLogger })
}

export function call(signal: AbortSignal = new AbortController().signal, sessionId = 'ses_test_0001'): ProviderCallOptions {
  return { signal, session: { id: sessionId } as ProviderCallOptions['session'], turnId: 'trn_test_0001' }
}

export async function drain(stream: AsyncIterable<StreamChunk>): Promise<StreamChunk[]> {
  const out: StreamChunk[] = []
  for await (const chunk of stream) out.push(chunk)
  return out
}

export const SEARCH_TOOL = {
  name: 'search_notes',
  description: 'Search the notes.',
  inputSchema: { type: 'object', properties: { query: { type: 'string', description: 'Words to find' }, limit: { type: 'integer', minimum: 1 } }, required: ['query'], additionalProperties: false },
}

/** First turn: one user message, no tools. */
export function firstTurn(provider: string, model: string): ModelRequest {
  return { provider, model, activity: 'conversation', system: 'You are terse.', messages: [{ role: 'user', content: [{ type: 'text', text: 'Find my notes on tea.' }] }], tools: [], extra: {} }
}

/** Follow-up: the assistant called a tool, the tool answered; the session has the tool. */
export function followUp(provider: string, model: string, reasoning?: { text: string; signature: string; providerId: string }): ModelRequest {
  return {
    provider,
    model,
    activity: 'conversation',
    system: 'You are terse.',
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'Find my notes on tea.' }] },
      {
        role: 'assistant',
        content: [
          ...(reasoning ? [{ type: 'reasoning' as const, ...reasoning }] : []),
          { type: 'text', text: 'Searching.' },
          { type: 'tool-call', callId: 'call_abc123', tool: 'search_notes', input: { query: 'tea' } },
        ],
      },
      { role: 'tool', content: [{ type: 'tool-result', callId: 'call_abc123', tool: 'search_notes', output: 'green tea; oolong' }] },
    ],
    tools: [SEARCH_TOOL],
    extra: {},
  }
}

export const SSE_HEADERS = { 'content-type': 'text/event-stream' }
