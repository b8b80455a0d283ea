import { z } from 'zod'
import { Secret, secretSchema } from '../../../kernel/index.js'

/**
 * Options of mcp-client. A server's name becomes the prefix of its tools (`<server>__<tool>`), so it
 * is lowercase letters, digits and dashes (no underscore, hence never the `__` separator) and short
 * enough to leave room for the tool name within the 64 characters providers accept.
 */
export const SERVER_NAME = /^[a-z][a-z0-9-]*$/
export const SERVER_NAME_MAX = 32
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

export const serverNameSchema = z
  .string()
  .regex(SERVER_NAME, 'a server name: lowercase letters, digits and dashes, starting with a letter (no "__")')
  .max(SERVER_NAME_MAX)

/** A header or environment value: plain text, a kernel Secret (`env('NAME')` in the config file) or `{env: 'NAME'}` (API). */
export type SecretValue = string | Secret | { env: string }

const timeoutsSchema = z
  .object({
    /** Connect + initialize + first listings, in ms. */
    initMs: z.number().int().min(100).max(600_000).optional(),
    /** One tool call, prompt or resource read, in ms. */
    callMs: z.number().int().min(100).max(3_600_000).optional(),
  })
  .strict()

/** The fields of one server, shared by the config file and the API (values differ: see below). */
function serverFields<V extends z.ZodType>(value: V) {
  return {
    transport: z.enum(['stdio', 'http', 'sse']),
    /** stdio: the program to start (no shell), its arguments, extra environment and working directory. */
    command: z.string().min(1).optional(),
    args: z.array(z.string()).max(200).default([]),
    env: z.record(z.string().regex(ENV_NAME, 'an environment variable name'), value).default({}),
    cwd: z.string().min(1).optional(),
    /** http / sse: the endpoint and extra request headers (e.g. Authorization). */
    url: z.string().url().optional(),
    headers: z.record(z.string().min(1), value).default({}),
    /** Globs over the server's own tool names: only these (include), never these (exclude). */
    include: z.array(z.string().min(1)).optional(),
    exclude: z.array(z.string().min(1)).default([]),
    timeouts: timeoutsSchema.default({}),
    enabled: z.boolean().default(true),
  }
}

type ServerShape = { transport: string; command?: string; url?: string; args: string[]; env: Record<string, unknown>; cwd?: string; headers: Record<string, unknown> }

/** stdio needs a command and takes no url; http/sse need an http(s) url and take no process fields. */
function checkTransport(server: ServerShape, ctx: z.RefinementCtx): void {
  if (server.transport === 'stdio') {
    if (!server.command) ctx.addIssue({ code: 'custom', path: ['command'], message: 'a stdio server needs a command (the program to start)' })
    if (server.url) ctx.addIssue({ code: 'custom', path: ['url'], message: 'a stdio server takes no url; use transport "http" or "sse" for remote servers' })
    if (Object.keys(server.headers).length > 0) ctx.addIssue({ code: 'custom', path: ['headers'], message: 'headers apply to http and sse servers only' })
    return
  }
  if (!server.url) ctx.addIssue({ code: 'custom', path: ['url'], message: `a ${server.transport} server needs a url` })
  else if (!/^https?:\/\//i.test(server.url)) ctx.addIssue({ code: 'custom', path: ['url'], message: 'the url must start with http:// or https://' })
  for (const field of ['command', 'cwd'] as const) {
    if (server[field]) ctx.addIssue({ code: 'custom', path: [field], message: `${field} applies to stdio servers only` })
  }
  if (server.args.length > 0 || Object.keys(server.env).length > 0) {
    ctx.addIssue({ code: 'custom', path: [server.args.length > 0 ? 'args' : 'env'], message: 'args and env apply to stdio servers only' })
  }
}

/** A server in the config file: values may be `env('NAME')` secrets (resolved by the kernel into Secret objects). */
export const configServerSchema = z.object(serverFields(z.union([z.string(), secretSchema]))).strict().superRefine(checkTransport)

/** A server added through the API: values are plain text or `{env: 'NAME'}` (read from the platform's environment when connecting, never stored). */
export const envRefSchema = z.object({ env: z.string().regex(ENV_NAME, 'an environment variable name') }).strict()
export const apiServerSchema = z
  .object({ name: serverNameSchema, ...serverFields(z.union([z.string(), envRefSchema])) })
  .strict()
  .superRefine(checkTransport)
export type ApiServerBody = z.output<typeof apiServerSchema>

export const configSchema = z
  .object({
    /** Servers declared here connect at boot; they cannot be removed through the API. */
    servers: z.record(serverNameSchema, configServerSchema).default({}),
    /** Defaults for every server's `timeouts`. */
    timeouts: z
      .object({ initMs: z.number().int().min(100).max(600_000).default(30_000), callMs: z.number().int().min(100).max(3_600_000).default(120_000) })
      .strict()
      .default({ initMs: 30_000, callMs: 120_000 }),
    /** Reconnect after a crash, a disconnect or a failed connect: delay = min(maxDelayMs, initialDelayMs * factor^attempt). */
    reconnect: z
      .object({
        initialDelayMs: z.number().int().min(10).default(1_000),
        maxDelayMs: z.number().int().min(10).default(60_000),
        factor: z.number().min(1).max(10).default(2),
        /** 0 = keep trying. */
        maxAttempts: z.number().int().min(0).default(0),
      })
      .strict()
      .default({ initialDelayMs: 1_000, maxDelayMs: 60_000, factor: 2, maxAttempts: 0 }),
    /** Whether `POST /api/mcp/servers` may add stdio servers (which start a program on this machine). */
    allowStdioFromApi: z.boolean().default(true),
    /** OAuth of remote servers (authorization through the API, tokens in the credentialStore port). */
    oauth: z
      .object({
        /** The address of `/api/mcp/oauth/callback` as the browser reaches it; default: server-http's own address. */
        redirectUrl: z.string().url().optional(),
        /** How long a started authorization waits for its code (ms). */
        flowTtlMs: z.number().int().min(10_000).max(3_600_000).default(600_000),
        /** `client_name` of the dynamic client registration. */
        clientName: z.string().min(1).max(100).default('Agent Platform'),
        /** Scope to ask for when the server names none (its 401 challenge, then its metadata, come first). */
        scope: z.string().min(1).optional(),
      })
      .strict()
      .default({ flowTtlMs: 600_000, clientName: 'Agent Platform' }),
  })
  .strict()
export type McpClientOptions = z.output<typeof configSchema>

/** One server as the connection code sees it, whatever its origin. */
export interface ServerConfig {
  name: string
  transport: 'stdio' | 'http' | 'sse'
  command?: string
  args: string[]
  env: Record<string, SecretValue>
  cwd?: string
  url?: string
  headers: Record<string, SecretValue>
  include?: string[]
  exclude: string[]
  timeouts: { initMs: number; callMs: number }
  enabled: boolean
}

type ParsedServer = Omit<ServerConfig, 'name' | 'timeouts'> & { timeouts: { initMs?: number; callMs?: number } }

/** Fill a parsed server's timeouts from the plugin defaults. */
export function toServerConfig(name: string, parsed: ParsedServer, defaults: McpClientOptions['timeouts']): ServerConfig {
  return { ...parsed, name, timeouts: { initMs: parsed.timeouts.initMs ?? defaults.initMs, callMs: parsed.timeouts.callMs ?? defaults.callMs } }
}
