import { delimiter, isAbsolute } from 'node:path'
import { z } from 'zod'
import { permissionRuleSchema } from './protocol/routes.js'

const SECRET_REF = Symbol.for('agent-platform.secret-ref')

/** A reference to an environment variable, written in the config file instead of the secret itself. */
export interface SecretRef {
  readonly [SECRET_REF]: true
  readonly name: string
  readonly optional: boolean
}

/** `env('ANTHROPIC_API_KEY')` stores the variable's name; the loader resolves it at parse time. */
export function env(name: string, options: { optional?: boolean } = {}): SecretRef {
  return Object.freeze({ [SECRET_REF]: true as const, name, optional: options.optional ?? false })
}

export function isSecretRef(value: unknown): value is SecretRef {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[SECRET_REF] === true
}

/** A resolved secret. Printing or serialising it never shows the value. */
export class Secret {
  readonly #value: string
  readonly source: string
  constructor(value: string, source: string) {
    this.#value = value
    this.source = source
  }
  reveal(): string {
    return this.#value
  }
  toString(): string {
    return '[redacted]'
  }
  toJSON(): string {
    return '[redacted]'
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret(${this.source})`
  }
}

/** zod schema for an option that holds a secret (resolved from `env()`), optional or not. */
export const secretSchema = z.instanceof(Secret)

export { permissionRuleSchema }
export type PermissionRule = z.output<typeof permissionRuleSchema>

/**
 * The workspace roots used when `kernel.workspaceRoots` is unset or empty: `PLATFORM_WORKSPACE_ROOTS`
 * (split on the path delimiter, `:` on Linux), else the default workspace itself, so that a server
 * started without configuration accepts exactly the workspace it would pick on its own.
 */
export function defaultWorkspaceRoots(): string[] {
  const fromEnv = process.env.PLATFORM_WORKSPACE_ROOTS
  if (fromEnv) return fromEnv.split(delimiter).filter((entry) => entry !== '')
  return [process.env.PLATFORM_WORKSPACE || process.cwd()]
}

/**
 * Folders a session's workspace must lie inside. Relative roots are refused at parse time: they would
 * silently depend on the directory the server happens to be started from.
 */
const workspaceRootsSchema = z
  .array(z.string().min(1))
  .default([])
  .transform((roots) => (roots.length > 0 ? roots : defaultWorkspaceRoots()))
  .pipe(
    z.array(
      z.string().refine(isAbsolute, {
        error: (issue) =>
          `workspace root must be an absolute path, got ${JSON.stringify(issue.input)} ` +
          '(when kernel.workspaceRoots is unset or empty, the roots come from PLATFORM_WORKSPACE_ROOTS, else PLATFORM_WORKSPACE, which must be absolute too)',
      }),
    ),
  )

/** Kernel section of the config file. */
export const agentConfigSchema = z
  .object({
    name: z.string().min(1).optional(),
    description: z.string().default(''),
    systemPrompt: z.string().default('You are a helpful assistant.'),
    provider: z.string().min(1),
    model: z.string().min(1),
    tools: z.union([z.literal('*'), z.array(z.string())]).default('*'),
    /** This agent's permission rules (the AGENT stage of permission-policy); last match wins. */
    permissions: z.array(permissionRuleSchema).default([]),
  })
  .strict()

export const kernelConfigSchema = z
  .object({
    dataDir: z.string().min(1).default('.data'),
    /** Absolute folders a session's workspace must be inside (see defaultWorkspaceRoots when unset or empty). */
    workspaceRoots: workspaceRootsSchema,
    defaultAgent: z.string().min(1).default('demo'),
    agents: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), agentConfigSchema).default({}),
    sessionIdleMs: z.number().int().positive().default(15 * 60_000),
    limits: z
      .object({
        maxSteps: z.number().int().positive().default(50),
        parallelTools: z.number().int().positive().default(4),
        eventRetention: z.number().int().positive().default(10_000),
        /** Model-facing tool output is cut to this many characters (head and tail kept). */
        toolOutputChars: z.number().int().positive().default(30_000),
        /** Compact the conversation when a request reaches this share of the model's context window. */
        compactAt: z.number().gt(0).max(1).default(0.8),
        /** Context window assumed for models whose provider does not state one, in tokens. */
        contextTokens: z.number().int().positive().default(128_000),
      })
      .strict()
      .default({ maxSteps: 50, parallelTools: 4, eventRetention: 10_000, toolOutputChars: 30_000, compactAt: 0.8, contextTokens: 128_000 }),
    /** After a session's first turn, ask its model for a short title (a `title` activity). */
    autoTitle: z.boolean().default(true),
    timeouts: z
      .object({
        startMs: z.number().int().positive().default(30_000),
        warmupMs: z.number().int().positive().default(15_000),
        shutdownMs: z.number().int().positive().default(10_000),
        tapMs: z.number().int().positive().default(10_000),
        providerFirstByteMs: z.number().int().positive().default(60_000),
        providerIdleMs: z.number().int().positive().default(90_000),
        /** Default time limit of one tool call (a tool's own timeoutMs wins). */
        toolMs: z.number().int().positive().default(120_000),
        /** How long a permission question waits for an answer before it is rejected (reason timeout). */
        askMs: z.number().int().positive().default(600_000),
      })
      .strict()
      .default({ startMs: 30_000, warmupMs: 15_000, shutdownMs: 10_000, tapMs: 10_000, providerFirstByteMs: 60_000, providerIdleMs: 90_000, toolMs: 120_000, askMs: 600_000 }),
    logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  })
  .strict()

export type KernelConfigInput = z.input<typeof kernelConfigSchema>
export type KernelConfig = z.output<typeof kernelConfigSchema>
export type AgentConfig = z.output<typeof agentConfigSchema>

/** What a plugin entry in the config file may be. */
export type PluginEntry = boolean | ({ resolve?: string } & Record<string, unknown>)

export interface PlatformConfigInput {
  kernel?: KernelConfigInput
  plugins: Record<string, PluginEntry>
}

/** Identity helper for the config file: gives types and nothing else. */
export function defineConfig(config: PlatformConfigInput): PlatformConfigInput {
  return config
}

/** Replace every `env()` reference in a value by a resolved Secret (or undefined if optional and unset). */
export function resolveSecrets(value: unknown, path: string[], missing: string[]): unknown {
  if (isSecretRef(value)) {
    const raw = process.env[value.name]
    if (raw === undefined || raw === '') {
      if (!value.optional) missing.push(`${path.join('.')}: environment variable ${value.name} is not set`)
      return undefined
    }
    return new Secret(raw, value.name)
  }
  if (Array.isArray(value)) return value.map((item, i) => resolveSecrets(item, [...path, String(i)], missing))
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) {
      const resolved = resolveSecrets(item, [...path, key], missing)
      if (resolved !== undefined) out[key] = resolved
    }
    return out
  }
  return value
}

/** Option names whose string values are secrets: apiKey, keys, accessToken, clientSecret, password, authorization. */
const SECRET_KEY_NAME = /(key|keys|token|secret|password|authorization)$/i

/** A copy of a value safe to print: Secrets and secret-looking keys become `[redacted]`. */
export function redact(value: unknown): unknown {
  if (value instanceof Secret || isSecretRef(value)) return '[redacted]'
  if (Array.isArray(value)) return value.map(redact)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) {
      out[key] = SECRET_KEY_NAME.test(key) && typeof item === 'string' ? '[redacted]' : redact(item)
    }
    return out
  }
  return value
}
