import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js'
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import { PlatformError, Secret } from '../../../kernel/index.js'
import type { SecretValue, ServerConfig } from './config.js'
import { McpErrorCode } from './errors.js'

/** Gives the OAuth client provider of a remote server, when one is plugged in (the OAuth flow comes later). */
export type AuthProviderFactory = (server: ServerConfig) => OAuthClientProvider | undefined

/** A value ready for use: Secrets revealed, `{env}` references read now (never stored, never logged). */
export function revealValue(value: SecretValue, where: string, environment: NodeJS.ProcessEnv = process.env): string {
  if (typeof value === 'string') return value
  if (value instanceof Secret) return value.reveal()
  const raw = environment[value.env]
  if (raw === undefined || raw === '') {
    throw new PlatformError(McpErrorCode.SECRET_MISSING, `${where} refers to the environment variable ${value.env}, which is not set. Set it and restart the server.`, {
      details: { variable: value.env },
    })
  }
  return raw
}

function revealAll(values: Record<string, SecretValue>, where: string): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, revealValue(value, `${where}.${key}`)]))
}

/**
 * The environment of a stdio server: the SDK's harmless defaults (PATH, HOME, LOGNAME, SHELL, TERM,
 * USER) plus what the config gives it, never the rest of the platform's environment (API keys).
 */
export function stdioEnvironment(server: ServerConfig): Record<string, string> {
  return { ...getDefaultEnvironment(), ...revealAll(server.env, `servers.${server.name}.env`) }
}

export interface BuiltTransport {
  transport: Transport
  /** The child process id (stdio), for diagnostics and tests. */
  pid(): number | null
}

/** One transport per connection attempt (SDK transports cannot be restarted). */
export function createTransport(server: ServerConfig, options: { authProvider?: OAuthClientProvider; onStderr?: (line: string) => void }): BuiltTransport {
  if (server.transport === 'stdio') {
    const transport = new StdioClientTransport({
      command: server.command!,
      args: server.args,
      env: stdioEnvironment(server),
      ...(server.cwd ? { cwd: server.cwd } : {}),
      // Piped, not inherited: a server's chatter must not mix into the platform's JSON log lines.
      stderr: 'pipe',
    })
    let partial = ''
    transport.stderr?.on('data', (chunk: Buffer) => {
      partial += chunk.toString('utf8')
      const lines = partial.split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) if (line.trim()) options.onStderr?.(line)
    })
    return { transport, pid: () => transport.pid }
  }
  const url = new URL(server.url!)
  const requestInit = { headers: revealAll(server.headers, `servers.${server.name}.headers`) }
  const auth = options.authProvider ? { authProvider: options.authProvider } : {}
  const transport =
    server.transport === 'http'
      ? new StreamableHTTPClientTransport(url, { requestInit, ...auth })
      : new SSEClientTransport(url, { requestInit, ...auth })
  return { transport, pid: () => null }
}
