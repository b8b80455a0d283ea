import { Readable } from 'node:stream'
import { createParser } from 'eventsource-parser'
import { OAuth2Client } from 'google-auth-library'
import type { GeminiResponse } from './stream.js'

/** The retry gemini-cli gives every non-streaming Code Assist call (gaxios retryConfig). */
const POST_RETRY = { retry: 3, noResponseRetries: 3, statusCodesToRetry: [[429, 429], [499, 499], [500, 599]] }

/** One `data:` event of the Code Assist stream: the GenerateContentResponse sits in `response`. */
export interface CodeAssistEvent {
  response?: GeminiResponse
  traceId?: string
  [key: string]: unknown
}

/**
 * The Code Assist API (`{endpoint}/v1internal:{method}`) called through google-auth-library 10.9.0 with
 * an access token, exactly as gemini-cli's CodeAssistServer: Content-Type JSON plus its headers, gaxios
 * adding Authorization, `x-goog-api-client: gl-node/<version>` and `google-api-nodejs-client/<v>` after
 * the User-Agent.
 */
export class CodeAssistApi {
  readonly #client = new OAuth2Client()

  constructor(
    private readonly base: string,
    private readonly headers: Record<string, string>,
    accessToken: string,
    /** Per-request timeout of the setup calls (the stream is bounded by the idle timeout instead). */
    private readonly timeoutMs: number,
  ) {
    this.#client.setCredentials({ access_token: accessToken })
  }

  /** POST `{base}:{method}` with gemini-cli's retry (3 times, 100 ms, on 429 / 499 / 5xx). */
  async post<T>(method: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const res = await this.#client.request<T>({
      url: `${this.base}:${method}`,
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...this.headers },
      responseType: 'json',
      body: JSON.stringify(body),
      signal,
      timeout: this.timeoutMs,
      retryConfig: { retryDelay: 100, ...POST_RETRY, statusCodesToRetry: POST_RETRY.statusCodesToRetry as Array<[number, number]> },
    })
    return res.data
  }

  /** GET `{base}/{operationName}` (onboarding long-running operation). */
  async operation<T>(name: string, signal?: AbortSignal): Promise<T> {
    const res = await this.#client.request<T>({
      url: `${this.base}/${name}`,
      method: 'GET',
      headers: { 'Content-Type': 'application/json', ...this.headers },
      responseType: 'json',
      signal,
      timeout: this.timeoutMs,
    })
    return res.data
  }

  /**
   * POST `{base}:streamGenerateContent?alt=sse` without transport retries; yields each event's JSON.
   * Multi-line data is joined with newlines; an event that is not JSON is skipped, as gemini-cli does.
   */
  async stream(body: unknown, signal: AbortSignal, onMalformed: () => void): Promise<AsyncIterator<CodeAssistEvent>> {
    const res = await this.#client.request<NodeJS.ReadableStream>({
      url: `${this.base}:streamGenerateContent`,
      method: 'POST',
      params: { alt: 'sse' },
      headers: { 'Content-Type': 'application/json', ...this.headers },
      responseType: 'stream',
      body: JSON.stringify(body),
      signal,
      retry: false,
    })
    return sseEvents(Readable.from(res.data), onMalformed)
  }
}

async function* sseEvents(body: Readable, onMalformed: () => void): AsyncGenerator<CodeAssistEvent> {
  const queue: CodeAssistEvent[] = []
  const parser = createParser({
    onEvent(event) {
      try {
        queue.push(JSON.parse(event.data) as CodeAssistEvent)
      } catch {
        onMalformed()
      }
    },
  })
  const decoder = new TextDecoder()
  for await (const chunk of body) {
    parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk as Uint8Array, { stream: true }))
    while (queue.length > 0) yield queue.shift() as CodeAssistEvent
  }
  // The reference's line reader also ends the last event at end of input only after a blank line.
  while (queue.length > 0) yield queue.shift() as CodeAssistEvent
}
