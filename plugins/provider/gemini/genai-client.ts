import { GoogleGenAI, type GoogleGenAIOptions } from '@google/genai'
import { OAuth2Client } from 'google-auth-library'
import type { GeminiContent } from './request.js'
import type { GeminiResponse } from './stream.js'

/**
 * How to construct the SDK client for one call, mirroring gemini-cli's `createContentGenerator`:
 * API key (`vertexai: false`), the gateway (same, possibly with an empty key), or Vertex AI (express
 * mode with GOOGLE_API_KEY, else project/location with an access token or Application Default Credentials).
 */
export type GenAiTarget =
  | { kind: 'api-key' | 'gateway'; apiKey: string; baseUrl?: string; apiVersion?: string }
  | { kind: 'vertex'; apiKey?: string; project?: string; location?: string; accessToken?: string; baseUrl?: string; apiVersion?: string }

export interface GenAiCall {
  model: string
  contents: GeminiContent[]
  /** Generation config plus systemInstruction / tools (the SDK lifts those to the top level). */
  config: Record<string, unknown>
  headers: Record<string, string>
  signal: AbortSignal
}

function vertexOptions(target: Extract<GenAiTarget, { kind: 'vertex' }>, httpOptions: GoogleGenAIOptions['httpOptions']): GoogleGenAIOptions {
  const options: GoogleGenAIOptions = { vertexai: true, httpOptions, ...(target.apiVersion ? { apiVersion: target.apiVersion } : {}) }
  if (target.apiKey) return { ...options, apiKey: target.apiKey }
  if (target.accessToken) {
    // An injected token (GOOGLE_CLOUD_ACCESS_TOKEN): a client that only carries it, so no ADC lookup happens.
    const authClient = new OAuth2Client()
    authClient.setCredentials({ access_token: target.accessToken })
    return { ...options, project: target.project, location: target.location, googleAuthOptions: { authClient } }
  }
  // Application Default Credentials; with a custom base URL gemini-cli also hands it to google-auth
  // (`apiEndpoint` is not in google-auth-library's typings, hence the cast).
  const endpoint = target.baseUrl ? { googleAuthOptions: { clientOptions: { apiEndpoint: target.baseUrl } } as GoogleGenAIOptions['googleAuthOptions'] } : {}
  return { ...options, project: target.project, location: target.location, ...endpoint }
}

/** The `GoogleGenAI` client for this target, with the reference's headers on every request. */
export function createGenAi(target: GenAiTarget, headers: Record<string, string>): GoogleGenAI {
  const httpOptions = { headers: { ...headers }, ...(target.baseUrl ? { baseUrl: target.baseUrl } : {}) }
  if (target.kind === 'vertex') return new GoogleGenAI(vertexOptions(target, httpOptions))
  if (target.kind === 'gateway' && target.apiKey === '') httpOptions.headers['x-goog-api-key'] = ''
  return new GoogleGenAI({ apiKey: target.apiKey, vertexai: false, httpOptions, ...(target.apiVersion ? { apiVersion: target.apiVersion } : {}) })
}

/** `models.generateContentStream` as gemini-cli calls it; resolves once the response headers arrived. */
export async function openGenAiStream(target: GenAiTarget, call: GenAiCall): Promise<AsyncIterator<GeminiResponse>> {
  const ai = createGenAi(target, call.headers)
  const stream = await ai.models.generateContentStream({
    model: call.model,
    contents: call.contents as never,
    config: { ...call.config, abortSignal: call.signal },
  })
  return stream[Symbol.asyncIterator]() as AsyncIterator<GeminiResponse>
}
