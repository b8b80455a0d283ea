/** Helpers for this plugin's tests (not loaded by the plugin). */
import { Secret, type ChatMessage, type Credential, type CredentialResolver, type Logger, type ModelRequest, type ProviderCallOptions, type StreamChunk } from '../../../kernel/index.js'
import type { Env } from './auth-mode.js'
import { createGeminiClient } from './client.js'
import { configSchema } from './config.js'

/** Variables the SDK or the mode decision read: cleared so the machine's environment cannot leak in. */
export const GEMINI_ENV_VARS = [
  'GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_GENAI_USE_VERTEXAI', 'GOOGLE_GENAI_USE_GCA', 'GOOGLE_CLOUD_PROJECT', 'GOOGLE_CLOUD_PROJECT_ID',
  'GOOGLE_CLOUD_LOCATION', 'GOOGLE_VERTEX_BASE_URL', 'GOOGLE_GEMINI_BASE_URL', 'GOOGLE_CLOUD_ACCESS_TOKEN', 'CODE_ASSIST_ENDPOINT',
  'CODE_ASSIST_API_VERSION', 'GEMINI_CLI_CUSTOM_HEADERS', 'GEMINI_API_KEY_AUTH_MECHANISM', 'GOOGLE_GENAI_API_VERSION', 'GEMINI_CLI_SURFACE',
  'SURFACE', 'GITHUB_SHA', 'CLOUD_SHELL', 'GEMINI_CLI_USE_COMPUTE_ADC', 'GOOGLE_APPLICATION_CREDENTIALS',
]

export function clearGeminiEnv(): void {
  for (const name of GEMINI_ENV_VARS) delete process.env[name]
}

export const VERSION = '0.1.0'
export const UA_TAIL = `(${process.platform}; ${process.arch}; terminal)`

export function credential(mode: 'api_key' | 'oauth', secret: string, extra: Partial<Credential> = {}): Credential {
  return { providerId: 'gemini', mode, secret: new Secret(secret, 'test'), source: mode === 'oauth' ? 'oauth' : 'env', sourceId: 'test', ...extra }
}

/** A resolver with fixed credentials; `renewals` lists what `refresh` returns, one per call. */
export function fakeCredentials(found: Partial<Record<'api_key' | 'oauth', Credential>>, renewals: Array<Credential | null> = []) {
  const refreshed: Array<{ reason: string; secret: string }> = []
  const resolver: CredentialResolver = {
    async resolve(query) {
      for (const mode of query.modes ?? ['api_key', 'oauth']) if (found[mode]) return found[mode] ?? null
      return null
    },
    async refresh(old, reason) {
      refreshed.push({ reason, secret: old.secret.reveal() })
      const next = renewals.shift() ?? null
      if (next) found[next.mode] = next
      return next
    },
  }
  return { resolver, refreshed }
}

export const FAST_RETRY = { attempts: 3, initialDelayMs: 5, maxDelayMs: 20, jitter: 0.3, maxRetryAfterMs: 5_000 }

export function testClient(options: Record<string, unknown>, env: Env, credentials: CredentialResolver, logLines: string[] = []) {
  const parsed = configSchema.parse({ retry: FAST_RETRY, idleTimeoutMs: 2_000, ...options })
  const logger = memoryLogger(logLines)
  return createGeminiClient({ options: parsed, credentials: () => credentials, version: () => VERSION, logger, env: () => env })
}

/** A logger that keeps `level message fields` lines. */
export function memoryLogger(lines: string[]): Logger {
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`)
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: () => logger }
  return logger
}

export function callOptions(signal: AbortSignal = new AbortController().signal): ProviderCallOptions {
  return { signal, session: { id: 'ses_test' } as ProviderCallOptions['session'], turnId: 'trn_test' }
}

export async function drain(stream: AsyncIterable<StreamChunk>): Promise<StreamChunk[]> {
  const out: StreamChunk[] = []
  for await (const chunk of stream) out.push(chunk)
  return out
}

/** Gemini's SSE framing: one `data:` line per response, CRLF-terminated. */
export function geminiSse(responses: unknown[]): string[] {
  return responses.map((r) => `data: ${JSON.stringify(r)}\r\n\r\n`)
}

export const SSE_HEADERS = { 'content-type': 'text/event-stream' }

export const READ_NOTE_SCHEMA = { type: 'object', properties: { title: { type: 'string' } }, required: ['title'], additionalProperties: false }

/** A first turn: system prompt, one user message, one tool. */
export const firstTurn: ModelRequest = {
  provider: 'gemini',
  model: 'gemini-2.5-pro',
  activity: 'conversation',
  system: 'You are a test agent.',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Read my note called groceries.' }] }],
  tools: [{ name: 'read_note', description: 'Reads a note.', inputSchema: READ_NOTE_SCHEMA }],
  extra: {},
}

const followUpMessages: ChatMessage[] = [
  ...firstTurn.messages,
  {
    role: 'assistant',
    content: [
      { type: 'reasoning', text: 'I will read the note.', providerId: 'gemini' },
      { type: 'tool-call', callId: 'read_note_1700000000000_0', tool: 'read_note', input: { title: 'groceries' }, meta: { thoughtSignature: 'c2lnLWNhbGw=' } },
    ],
  },
  { role: 'tool', content: [{ type: 'tool-result', callId: 'read_note_1700000000000_0', tool: 'read_note', output: 'milk, eggs' }] },
]

/** The follow-up that carries the model's function call and the tool's result. */
export const followUp: ModelRequest = { ...firstTurn, messages: followUpMessages }

/** What both turns must carry as `contents`. */
export const FIRST_CONTENTS = [{ role: 'user', parts: [{ text: 'Read my note called groceries.' }] }]
export const FOLLOW_UP_CONTENTS = [
  ...FIRST_CONTENTS,
  { role: 'model', parts: [{ functionCall: { name: 'read_note', args: { title: 'groceries' }, id: 'read_note_1700000000000_0' }, thoughtSignature: 'c2lnLWNhbGw=' }] },
  { role: 'user', parts: [{ functionResponse: { name: 'read_note', response: { output: 'milk, eggs' }, id: 'read_note_1700000000000_0' } }] },
]
export const SYSTEM_INSTRUCTION = { role: 'user', parts: [{ text: 'You are a test agent.' }] }
export const TOOLS = [{ functionDeclarations: [{ name: 'read_note', description: 'Reads a note.', parametersJsonSchema: READ_NOTE_SCHEMA }] }]
export const GENERATION_25 = { temperature: 1, topP: 0.95, topK: 64, thinkingConfig: { includeThoughts: true, thinkingBudget: 8192 } }

/** A typical answer: a thought, a signed function call, usage, STOP. */
export const TOOL_ANSWER = [
  { candidates: [{ content: { role: 'model', parts: [{ text: 'I will read the note.', thought: true }] } }] },
  { candidates: [{ content: { role: 'model', parts: [{ functionCall: { name: 'read_note', args: { title: 'groceries' } }, thoughtSignature: 'c2lnLWNhbGw=' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 50, candidatesTokenCount: 10, thoughtsTokenCount: 20, totalTokenCount: 80 } },
]

export const TEXT_ANSWER = [
  { candidates: [{ content: { role: 'model', parts: [{ text: 'You need milk', thoughtSignature: 'c2lnLXRleHQ=' }] } }] },
  { candidates: [{ content: { role: 'model', parts: [{ text: ' and eggs.' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 70, cachedContentTokenCount: 40, candidatesTokenCount: 6, totalTokenCount: 76 } },
]

/**
 * A server that answers every POST with one SSE event and then waits; `closed` resolves when the
 * client closes the connection (proves cancellation reaches the socket).
 */
export async function stallServer(firstEvent: string, setup: (url: string) => CapturedResponseLike | undefined = () => undefined) {
  const { createServer } = await import('node:http')
  let closedResolve: () => void = () => undefined
  const closed = new Promise<void>((resolve) => (closedResolve = resolve))
  const sockets = new Set<import('node:net').Socket>()
  const server = createServer((req, res) => {
    const canned = setup(req.url ?? '')
    if (canned) {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(canned.body)
      return
    }
    res.writeHead(200, SSE_HEADERS)
    res.write(firstEvent)
    res.on('close', () => closedResolve())
  })
  server.on('connection', (socket) => sockets.add(socket))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as import('node:net').AddressInfo
  return {
    url: `http://127.0.0.1:${address.port}`,
    closed,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resolve())
    }),
  }
}

interface CapturedResponseLike {
  body: string
}
