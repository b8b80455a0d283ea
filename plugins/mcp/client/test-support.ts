/** Test helpers of mcp-client (not used at runtime): the real MCP servers, started by the tests themselves. */
import { spawn, type ChildProcess } from 'node:child_process'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { PluginEntry } from '../../../kernel/index.js'
import { createTestKernel, type TestKernel } from '../../../kernel/testing/index.js'
import { waitFor } from '../../../kernel/testing/wait.js'
import type {} from './services.js'

const require = createRequire(import.meta.url)
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`))

/** server-everything's entry: `node <it> stdio | streamableHttp | sse`. */
export const EVERYTHING = join(packageDir('@modelcontextprotocol/server-everything'), 'dist', 'index.js')
/** server-memory's entry (stdio; MEMORY_FILE_PATH picks its JSONL file). */
export const MEMORY = join(packageDir('@modelcontextprotocol/server-memory'), 'dist', 'index.js')
/** A tiny server of our own (SDK McpServer) for what the official ones cannot show: cancellation. */
export const FIXTURE_SERVER = fileURLToPath(new URL('./fixtures/slow-server.mjs', import.meta.url))

export const everythingStdio = (extra: Record<string, unknown> = {}) => ({ transport: 'stdio', command: process.execPath, args: [EVERYTHING, 'stdio'], ...extra })

/** Fast reconnects for tests. */
export const FAST_RECONNECT = { initialDelayMs: 50, maxDelayMs: 200, factor: 2, maxAttempts: 0 }

export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

export interface RunningServer {
  url: string
  process: ChildProcess
  stop(): Promise<void>
}

/** server-everything over HTTP (`streamableHttp` at /mcp, or legacy `sse` at /sse) on a free loopback port. */
export async function startEverythingHttp(mode: 'streamableHttp' | 'sse' = 'streamableHttp', port?: number): Promise<RunningServer> {
  port ??= await freePort()
  const child = spawn(process.execPath, [EVERYTHING, mode], { env: { PATH: process.env.PATH ?? '', PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  await waitFor(() => /listening on port|running on port/i.test(output) || child.exitCode !== null, `server-everything ${mode} to listen`, 15_000)
  if (child.exitCode !== null) throw new Error(`server-everything ${mode} exited: ${output}`)
  const stop = async () => {
    if (child.exitCode !== null) return
    child.kill('SIGKILL')
    await new Promise((resolve) => child.once('exit', resolve))
  }
  return { url: `http://127.0.0.1:${port}/${mode === 'sse' ? 'sse' : 'mcp'}`, process: child, stop }
}

/** The OAuth-protected MCP server of `fixtures/oauth-server.mjs` (SDK auth router, auto-approving). */
export const OAUTH_FIXTURE = fileURLToPath(new URL('./fixtures/oauth-server.mjs', import.meta.url))

export interface OAuthServer extends RunningServer {
  base: string
  stats(): Promise<{ registrations: number; authorizations: number; codeExchanges: number; refreshes: number; rejectedTokens: number; lastAccessToken: string; lastRefreshToken: string }>
  /** Every access token expires now (POST /test/expire); `revoke` also drops the refresh tokens. */
  control(action: 'expire' | 'revoke'): Promise<void>
}

export async function startOAuthServer(): Promise<OAuthServer> {
  const port = await freePort()
  const child = spawn(process.execPath, [OAUTH_FIXTURE], { env: { PATH: process.env.PATH ?? '', PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  await waitFor(() => /listening on port/.test(output) || child.exitCode !== null, 'the OAuth fixture to listen', 15_000)
  if (child.exitCode !== null) throw new Error(`the OAuth fixture exited: ${output}`)
  const base = `http://127.0.0.1:${port}`
  return {
    base,
    url: `${base}/mcp`,
    process: child,
    async stop() {
      if (child.exitCode !== null) return
      child.kill('SIGKILL')
      await new Promise((resolve) => child.once('exit', resolve))
    },
    stats: async () => (await fetch(`${base}/test/stats`)).json() as never,
    async control(action) {
      await (await fetch(`${base}/test/${action}`, { method: 'POST' })).text()
    },
  }
}

export interface Booted {
  tk: TestKernel
  base: string
  call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>
}

/** A test kernel with server-http on port 0, provider-scripted and mcp-client with these options. */
export async function bootMcp(t: { teardown(fn: () => unknown): void }, mcp: Record<string, unknown>, plugins: Record<string, PluginEntry> = {}): Promise<Booted> {
  const tk = await createTestKernel({
    plugins: {
      'provider-scripted': { chunkDelayMs: 0 },
      'server-http': { port: 0 },
      'mcp-client': { reconnect: FAST_RECONNECT, ...mcp },
      ...plugins,
    },
  })
  t.teardown(tk.close)
  const base = tk.kernel.addresses[0]!
  return {
    tk,
    base,
    async call(method, path, body) {
      const response = await fetch(base + path, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      })
      const text = await response.text()
      return { status: response.status, json: text ? JSON.parse(text) : undefined }
    },
  }
}
