import type { SessionInfo } from './protocol/index.js'
import type { Logger } from './ports/types.js'

/** One model the provider serves. */
export interface ModelInfo {
  id: string
  displayName?: string
  contextWindow?: number
}

export type ChatContent =
  | { type: 'text'; text: string }
  /** A model's earlier reasoning; `signature` (and `providerId`) let the same provider verify it when replayed. */
  | { type: 'reasoning'; text: string; signature?: string; providerId?: string }
  /** `meta`: provider-specific facts to send back with the call (e.g. Gemini's thought signature). */
  | { type: 'tool-call'; callId: string; tool: string; input: unknown; meta?: Record<string, unknown> }
  | { type: 'tool-result'; callId: string; tool: string; output: string; isError?: boolean }

export interface ChatMessage {
  role: 'user' | 'assistant' | 'tool'
  content: ChatContent[]
}

/** The JSON-schema face of a tool as sent to a model. */
export interface ToolSpec {
  name: string
  description: string
  inputSchema: Record<string, unknown>
}

/** Why a model is called; usage is attributed to it. */
export type ModelActivity = 'conversation' | 'tool' | 'sub-agent' | 'compaction' | 'title'

/** What the kernel asks of a provider for one model call; providers map it to their wire format. */
export interface ModelRequest {
  provider: string
  model: string
  activity: ModelActivity
  system: string
  messages: ChatMessage[]
  tools: ToolSpec[]
  /** Provider-specific fields added by request.build taps (headers, extra body fields). */
  extra: Record<string, unknown>
}

/**
 * Token usage of one model call, normalised: `input` excludes cache reads and writes, `output`
 * includes reasoning, `reasoning` is the informational subset; `raw` keeps the provider's numbers.
 */
export interface UsageReport {
  input: number
  output: number
  reasoning?: number
  cacheRead?: number
  cacheWrite?: number
  raw?: unknown
}

/** One chunk of a model's streamed answer, already normalised by the provider client. */
export type StreamChunk =
  | { type: 'text'; delta: string }
  /** A reasoning delta; `signature` arrives once per reasoning block (Anthropic thinking, Gemini thoughts). */
  | { type: 'thought'; delta: string; signature?: string }
  | { type: 'tool-call'; callId: string; tool: string; input: unknown; meta?: Record<string, unknown> }
  | { type: 'usage'; usage: UsageReport }
  | { type: 'finish'; reason: 'stop' | 'length' | 'tool_calls' }
  | { type: 'error'; code: string; message: string; retryable?: boolean }

export interface ProviderCallOptions {
  signal: AbortSignal
  session: SessionInfo
  turnId: string
  /**
   * Tell the kernel a retry is coming after `delayMs` (rate limit, server error): the session shows
   * `retrying` and the first-byte/idle deadline moves back by the delay.
   */
  onRetry?(info: { attempt: number; delayMs: number; reason: string }): void
}

export interface ProviderClient {
  stream(request: ModelRequest, options: ProviderCallOptions): AsyncIterable<StreamChunk>
}

/** Credential state of a provider for one call. */
export type CredentialCheck = { ok: true } | { ok: false; code: string; message: string }

/** An item of the providers registry. */
export interface ProviderDefinition {
  id: string
  displayName: string
  /** Models known without network access (used to validate session creation). */
  listModels(): ModelInfo[]
  /** Whether this provider accepts a model id not in its list (e.g. OpenAI-compatible endpoints). */
  acceptsUnknownModels?: boolean
  /** Environment variables holding this provider's API key, in the order they are read (auth-api-key uses them). */
  apiKeyEnv?: string[]
  /** Checked before each turn; a missing credential fails the turn, not the session creation. */
  checkCredential?(): Promise<CredentialCheck>
  createClient(deps: { logger: Logger }): ProviderClient
}
