import { isAbsolute } from 'node:path'
import type { KernelConfig } from '../config.js'
import { KernelErrorCode, PlatformError } from '../errors.js'
import type { CreateSessionBody } from '../protocol/index.js'
import type { KernelRegistries } from '../registries/index.js'
import type { SessionDraft } from '../turn.js'

const badRequest = (code: string, message: string, details: Record<string, unknown>) =>
  new PlatformError(code, message, { httpStatus: 400, details })

/** Body provider/model over the body agent's defaults over the configured default agent. */
export function resolveSessionDraft(body: CreateSessionBody, config: KernelConfig, registries: KernelRegistries): SessionDraft {
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
  const workspace = body.workspace ?? (process.env.PLATFORM_WORKSPACE || process.cwd())
  if (!isAbsolute(workspace)) {
    throw badRequest('SESSION_WORKSPACE_INVALID', `workspace must be an absolute path, got "${workspace}".`, { workspace })
  }
  const allTools = registries.tools.ids()
  const tools = agent.tools === '*' ? allTools : agent.tools.filter((t) => allTools.includes(t))
  return { agent: agent.id, provider: providerId, model: modelId, title: body.title ?? null, tools, workspace, parentId: null, permissions: body.permissions ?? [], forkedFrom: null }
}
