import { realpathSync, statSync } from 'node:fs'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import type { KernelConfig } from '../config.js'
import { KernelErrorCode, PlatformError } from '../errors.js'
import type { CreateSessionBody } from '../protocol/index.js'
import type { KernelRegistries } from '../registries/index.js'
import { isToolPattern } from './tool-set.js'
import type { SessionDraft } from '../turn.js'

const badRequest = (code: string, message: string, details: Record<string, unknown>) =>
  new PlatformError(code, message, { httpStatus: 400, details })

export interface ResolveSessionOptions {
  /**
   * The body's workspace is one an existing session already has (a patch): keep it as it is, since it
   * was checked when that session was created and the roots may have changed since.
   */
  keepWorkspace?: boolean
}

/** Body provider/model over the body agent's defaults over the configured default agent. */
export function resolveSessionDraft(
  body: CreateSessionBody,
  config: KernelConfig,
  registries: KernelRegistries,
  options: ResolveSessionOptions = {},
): SessionDraft {
  const agentId = body.agent ?? config.defaultAgent
  const agent = registries.agents.get(agentId)
  if (!agent) {
    throw badRequest(KernelErrorCode.SESSION_AGENT_UNKNOWN, `Unknown agent "${agentId}". Known agents: ${registries.agents.ids().join(', ') || 'none'}.`, {
      agent: agentId,
      known: registries.agents.ids(),
    })
  }
  let providerId = body.provider
  let modelId = body.model
  if (modelId && !providerId && modelId.includes('/')) {
    const slash = modelId.indexOf('/')
    const prefix = modelId.slice(0, slash)
    if (registries.providers.has(prefix)) {
      providerId = prefix
      modelId = modelId.slice(slash + 1)
    }
  }
  providerId ??= agent.provider
  const provider = registries.providers.get(providerId)
  if (!provider) {
    throw badRequest(
      KernelErrorCode.SESSION_PROVIDER_UNKNOWN,
      `Unknown or disabled provider "${providerId}". Enabled providers: ${registries.providers.ids().join(', ') || 'none'}.`,
      { provider: providerId, known: registries.providers.ids() },
    )
  }
  const models = provider.listModels()
  modelId ??= providerId === agent.provider ? agent.model : models[0]?.id
  if (!modelId || (!provider.acceptsUnknownModels && !models.some((m) => m.id === modelId))) {
    throw badRequest(
      KernelErrorCode.SESSION_MODEL_UNKNOWN,
      `Provider "${providerId}" has no model "${modelId ?? ''}". Its models: ${models.map((m) => m.id).join(', ') || 'none'}.`,
      { provider: providerId, model: modelId ?? null, known: models.map((m) => m.id) },
    )
  }
  const workspace = options.keepWorkspace && body.workspace !== undefined ? body.workspace : resolveWorkspace(body.workspace, config)
  // '*' stays a pattern, so tools registered later (MCP servers) reach the session too.
  const tools = agent.tools === '*' ? ['*'] : agent.tools.filter((t) => isToolPattern(t) || registries.tools.has(t))
  return { agent: agent.id, provider: providerId, model: modelId, title: body.title ?? null, tools, workspace, parentId: null, permissions: body.permissions ?? [], forkedFrom: null, ownerId: null }
}

/**
 * The session's workspace as a real path: the body's (which must be inside `kernel.workspaceRoots`),
 * else `PLATFORM_WORKSPACE`, else the server's working directory. The default is the operator's own
 * choice, so it is not checked against the roots, but it must exist like any other.
 */
export function resolveWorkspace(requested: string | undefined, config: KernelConfig): string {
  const workspace = requested ?? (process.env.PLATFORM_WORKSPACE || process.cwd())
  const source = requested !== undefined ? 'workspace' : process.env.PLATFORM_WORKSPACE ? 'the default workspace (PLATFORM_WORKSPACE)' : "the default workspace (the server's working directory)"
  if (!isAbsolute(workspace)) {
    throw badRequest('SESSION_WORKSPACE_INVALID', `${source} must be an absolute path, got "${workspace}".`, { workspace })
  }
  const real = realDirectory(workspace, source)
  if (requested === undefined) return real
  // Compare real paths on both sides, so neither `..` nor a symlink inside a root can lead outside it.
  const roots = config.workspaceRoots.map(realOrResolved)
  if (!roots.some((root) => isInside(real, root))) {
    throw badRequest(
      'SESSION_WORKSPACE_OUTSIDE_ROOTS',
      `workspace "${workspace}"${real !== workspace ? ` (real path "${real}")` : ''} is outside the workspace roots: ${roots.join(', ')}. ` +
        'Pick a folder inside one of them, or add a root to kernel.workspaceRoots in the config file (PLATFORM_WORKSPACE_ROOTS when that key is unset).',
      { workspace, realPath: real, roots },
    )
  }
  return real
}

/** The real path of an existing directory, or a 400 that says which of the two it is not. */
function realDirectory(workspace: string, source: string): string {
  let real: string
  try {
    real = realpathSync(workspace)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw badRequest('SESSION_WORKSPACE_NOT_FOUND', `${source} "${workspace}" does not exist. Create the folder first or pass an existing one.`, { workspace })
    }
    throw badRequest('SESSION_WORKSPACE_INVALID', `${source} "${workspace}" cannot be resolved (${code ?? 'unknown error'}). Check that it and its parents are readable and not a symlink loop.`, { workspace, errno: code ?? null })
  }
  if (!statSync(real).isDirectory()) {
    throw badRequest('SESSION_WORKSPACE_INVALID', `${source} "${workspace}" is not a directory. Pass the folder to work in.`, { workspace })
  }
  return real
}

/** A root that does not exist cannot contain an existing folder; its resolved path still shows in messages. */
function realOrResolved(root: string): string {
  try {
    return realpathSync(root)
  } catch {
    return resolve(root)
  }
}

function isInside(path: string, root: string): boolean {
  const rel = relative(root, path)
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel))
}
