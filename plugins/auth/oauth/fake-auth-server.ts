/**
 * A fake OAuth authorisation server for tests and demos (never used at runtime). It speaks the
 * subset of OAuth the three providers use: authorize (auto-approves), token (authorization_code
 * with PKCE S256 checked, refresh_token with rotation), Codex-style device codes with a scripted
 * answer sequence, revoke and userinfo. Every request is recorded.
 *
 * By hand:  node --import tsx plugins/auth/oauth/fake-auth-server.ts --port 8790
 */
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { pathToFileURL } from 'node:url'

export type DeviceStep = 'pending' | 'slow_down' | 'approve' | 'expired' | 'denied'

export interface FakeAuthOptions {
  /** expires_in of issued access tokens, seconds. */
  expiresIn: number
  /** Issue a new refresh token on refresh (the old one then stops working). */
  rotateRefreshTokens: boolean
  /** Answer refreshes without a refresh_token field. */
  omitRefreshTokenOnRefresh: boolean
  /** Put an id_token (with a ChatGPT account id) in token responses. */
  includeIdToken: boolean
  /** Answers of the device token endpoint, one per poll (the last repeats). */
  devicePlan: DeviceStep[]
  /** Device poll interval returned by the user-code endpoint, seconds (a string, as OpenAI sends it). */
  deviceInterval: number
  /** Delay before answering the token endpoint, ms (to make refresh races overlap). */
  tokenDelayMs: number
  /** Answer refresh_token grants with this status and error instead (outage tests). */
  refreshFailure?: { status: number; error: string }
}

export interface RecordedRequest {
  at: number
  method: string
  path: string
  query: Record<string, string>
  headers: Record<string, string | string[] | undefined>
  rawBody: string
  /** JSON or form fields, by the request's content type. */
  body: Record<string, unknown>
}

interface IssuedCode {
  clientId: string
  redirectUri: string
  challenge?: string
}

const DEFAULTS: FakeAuthOptions = {
  expiresIn: 3600, rotateRefreshTokens: true, omitRefreshTokenOnRefresh: false, includeIdToken: true,
  devicePlan: ['pending', 'slow_down', 'approve'], deviceInterval: 1, tokenDelayMs: 0,
}

/** Where the Codex device exchange says the code was redirected (the reference's deviceauth callback). */
export const DEVICE_REDIRECT = 'https://auth.openai.com/deviceauth/callback'
export const FAKE_ACCOUNT_ID = 'acct-fake-0001'
export const FAKE_EMAIL = 'fake.user@example.test'

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
export const fakeIdToken = (claims: Record<string, unknown>) => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.sig`
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url')
const isLoopback = (url: URL) => url.hostname === 'localhost' || url.hostname === '127.0.0.1'

function parseBody(request: IncomingMessage, raw: string): Record<string, unknown> {
  if (!(request.headers['content-type'] ?? '').includes('application/json')) return Object.fromEntries(new URLSearchParams(raw))
  try {
    return JSON.parse(raw) as Record<string, unknown>
  } catch {
    return {}
  }
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' })
  response.end(JSON.stringify(body))
}

export class FakeAuthServer {
  readonly options: FakeAuthOptions
  readonly requests: RecordedRequest[] = []
  /** Called for every request (the CLI prints them). */
  onRequest?: (record: RecordedRequest) => void
  #codes = new Map<string, IssuedCode>()
  #refreshTokens = new Map<string, { clientId: string }>()
  #devices = new Map<string, { polls: number; userCode: string; clientId: string }>()
  #serial = 0
  #url = ''
  #server: Server

  constructor(options: Partial<FakeAuthOptions> = {}) {
    this.options = { ...DEFAULTS, ...options }
    this.#server = createServer((request, response) => this.#receive(request, response))
  }

  get url(): string {
    return this.#url
  }

  /** Endpoint URLs for the auth-oauth config. */
  endpoints() {
    const u = this.#url
    return {
      authorizeUrl: `${u}/oauth/authorize`, tokenUrl: `${u}/oauth/token`, deviceCodeUrl: `${u}/deviceauth/usercode`,
      deviceTokenUrl: `${u}/deviceauth/token`, revokeUrl: `${u}/revoke`, userinfoUrl: `${u}/userinfo`,
    }
  }

  /** What a user approving `authorizeUrl` would get back: a code bound to its client, redirect and challenge. */
  approve(authorizeUrl: string): { code: string; state: string; redirectUri: string } {
    const query = Object.fromEntries(new URL(authorizeUrl).searchParams)
    const code = this.#issueCode({ clientId: query.client_id ?? '', redirectUri: query.redirect_uri ?? '', challenge: query.code_challenge })
    return { code, state: query.state ?? '', redirectUri: query.redirect_uri ?? '' }
  }

  /** Issue a login directly (seeding refresh tests). */
  issue(clientId: string) {
    return this.#issueTokens(clientId, true) as { access_token: string; refresh_token: string; expires_in: number }
  }

  revoke(refreshToken: string): void {
    this.#refreshTokens.delete(refreshToken)
  }

  tokenRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === '/oauth/token')
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(port, host, resolve))
    const address = this.#server.address()
    this.#url = `http://${host}:${typeof address === 'object' && address ? address.port : port}`
    return this.#url
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve())
      this.#server.closeAllConnections()
    })
  }

  #issueCode(entry: IssuedCode): string {
    const code = `fake-code-${++this.#serial}-${randomBytes(4).toString('hex')}`
    this.#codes.set(code, entry)
    return code
  }

  #issueTokens(clientId: string, withRefresh: boolean): Record<string, unknown> {
    const n = ++this.#serial
    const body: Record<string, unknown> = { access_token: `fake-access-${n}`, token_type: 'Bearer', expires_in: this.options.expiresIn, scope: 'fake:scope' }
    if (withRefresh) {
      body.refresh_token = `fake-refresh-${n}`
      this.#refreshTokens.set(body.refresh_token as string, { clientId })
    }
    if (this.options.includeIdToken) {
      body.id_token = fakeIdToken({ email: FAKE_EMAIL, 'https://api.openai.com/auth': { chatgpt_account_id: FAKE_ACCOUNT_ID, chatgpt_plan_type: 'plus' } })
    }
    return body
  }

  #receive(request: IncomingMessage, response: ServerResponse): void {
    let raw = ''
    request.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')))
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://fake')
      const record: RecordedRequest = {
        at: Date.now(), method: request.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams),
        headers: { ...request.headers }, rawBody: raw, body: parseBody(request, raw),
      }
      this.requests.push(record)
      this.onRequest?.(record)
      void this.#route(record, response).catch((error: unknown) => json(response, 500, { error: 'server_error', error_description: String(error) }))
    })
  }

  async #route(record: RecordedRequest, response: ServerResponse): Promise<void> {
    const { method, path, body, query } = record
    if (method === 'GET' && path === '/oauth/authorize') return this.#authorize(query, response)
    if (method === 'GET' && path === '/userinfo') return json(response, 200, { email: FAKE_EMAIL, verified_email: true })
    if (method !== 'POST') return json(response, 404, { error: 'not_found' })
    if (path === '/oauth/token') {
      if (this.options.tokenDelayMs) await new Promise((resolve) => setTimeout(resolve, this.options.tokenDelayMs))
      return body.grant_type === 'refresh_token' ? this.#refresh(body, response) : this.#exchange(body, response)
    }
    if (path === '/deviceauth/usercode') return this.#userCode(body, response)
    if (path === '/deviceauth/token') return this.#devicePoll(body, response)
    if (path === '/revoke') {
      this.revoke(query.token ?? '')
      return json(response, 200, {})
    }
    return json(response, 404, { error: 'not_found' })
  }

  /** Auto-approve: loopback redirects get a 302 with code and state; others get a page with `code#state` (like Anthropic's console). */
  #authorize(query: Record<string, string>, response: ServerResponse): void {
    const code = this.#issueCode({ clientId: query.client_id ?? '', redirectUri: query.redirect_uri ?? '', challenge: query.code_challenge })
    const redirect = new URL(query.redirect_uri ?? 'http://invalid')
    if (!isLoopback(redirect)) {
      response.writeHead(200, { 'Content-Type': 'text/plain' })
      return void response.end(`Paste this code into the platform: ${code}#${query.state ?? ''}\n`)
    }
    redirect.searchParams.set('code', code)
    redirect.searchParams.set('state', query.state ?? '')
    response.writeHead(302, { Location: redirect.toString() })
    response.end()
  }

  #exchange(body: Record<string, unknown>, response: ServerResponse): void {
    if (body.grant_type !== 'authorization_code') return json(response, 400, { error: 'unsupported_grant_type' })
    const issued = this.#codes.get(String(body.code ?? ''))
    if (!issued) return json(response, 400, { error: 'invalid_grant', error_description: 'Unknown or used authorization code' })
    this.#codes.delete(String(body.code))
    if (issued.clientId !== body.client_id) return json(response, 400, { error: 'invalid_client', error_description: 'client_id does not match the authorize request' })
    if (issued.redirectUri !== body.redirect_uri) return json(response, 400, { error: 'invalid_grant', error_description: 'redirect_uri does not match' })
    if (issued.challenge && s256(String(body.code_verifier ?? '')) !== issued.challenge) {
      return json(response, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' })
    }
    json(response, 200, this.#issueTokens(issued.clientId, true))
  }

  #refresh(body: Record<string, unknown>, response: ServerResponse): void {
    const { refreshFailure, rotateRefreshTokens, omitRefreshTokenOnRefresh, includeIdToken } = this.options
    if (refreshFailure) return json(response, refreshFailure.status, { error: refreshFailure.error })
    const token = String(body.refresh_token ?? '')
    const known = this.#refreshTokens.get(token)
    if (!known || known.clientId !== body.client_id) return json(response, 400, { error: 'invalid_grant', error_description: 'Refresh token is invalid or revoked' })
    const rotate = rotateRefreshTokens && !omitRefreshTokenOnRefresh
    if (rotate) this.#refreshTokens.delete(token)
    const issued = this.#issueTokens(known.clientId, rotate)
    if (!includeIdToken) delete issued.id_token
    json(response, 200, issued)
  }

  #userCode(body: Record<string, unknown>, response: ServerResponse): void {
    const id = `dev-${++this.#serial}`
    const userCode = `FAKE-${String(1000 + this.#serial).slice(-4)}`
    this.#devices.set(id, { polls: 0, userCode, clientId: String(body.client_id ?? '') })
    json(response, 200, { device_auth_id: id, user_code: userCode, interval: String(this.options.deviceInterval) })
  }

  /** The next step of `devicePlan`: pending (403), slow_down / expired_token / access_denied (400), or approval. */
  #devicePoll(body: Record<string, unknown>, response: ServerResponse): void {
    const device = this.#devices.get(String(body.device_auth_id ?? ''))
    if (!device || device.userCode !== body.user_code) return json(response, 400, { error: 'invalid_request', error_description: 'unknown device_auth_id' })
    const plan = this.options.devicePlan
    const step = plan[Math.min(device.polls, plan.length - 1)]
    device.polls += 1
    const errors: Record<string, [number, string]> = { pending: [403, 'authorization_pending'], slow_down: [400, 'slow_down'], expired: [400, 'expired_token'], denied: [400, 'access_denied'] }
    if (errors[step]) return json(response, errors[step][0], { error: errors[step][1] })
    const verifier = randomBytes(32).toString('base64url')
    const code = this.#issueCode({ clientId: device.clientId, redirectUri: DEVICE_REDIRECT, challenge: s256(verifier) })
    json(response, 200, { authorization_code: code, code_verifier: verifier, code_challenge: s256(verifier) })
  }
}

export function createFakeAuthServer(options: Partial<FakeAuthOptions> = {}): FakeAuthServer {
  return new FakeAuthServer(options)
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const portArg = args.indexOf('--port')
  const port = portArg >= 0 ? Number(args[portArg + 1]) : 8790
  const fake = createFakeAuthServer({ devicePlan: ['pending', 'pending', 'slow_down', 'approve'], deviceInterval: 1 })
  const url = await fake.listen(port)
  process.stdout.write(`fake authorisation server at ${url}\n`)
  process.stdout.write(`endpoints: ${JSON.stringify(fake.endpoints(), null, 2)}\n`)
  process.stdout.write('device codes: 2 x authorization_pending, 1 x slow_down, then approved\n')
  process.stdout.write(`start the platform with: FAKE_AUTH_URL=${url} npm start -- --config plugins/auth/oauth/fake-auth.config.ts\n`)
  fake.onRequest = (r) => process.stdout.write(`${new Date(r.at).toISOString()} ${r.method} ${r.path} ${r.rawBody.slice(0, 120)}\n`)
  process.on('SIGINT', () => void fake.close().then(() => process.exit(0)))
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main()
