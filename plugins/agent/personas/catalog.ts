import { PlatformError, type AgentDefinition, type Clock, type Logger, type ProviderDefinition, type Registry } from '../../../kernel/index.js'
import type { AgentFields } from './config.js'
import { PersonasErrorCode, plural, problemsError, type AgentProblem } from './errors.js'
import type { AgentStore } from './store.js'
import type { AgentDetail, AgentSource, AgentSummary, PermissionRule, PersonaDefinition } from './services.js'

/** Where an agent this plugin added came from. */
interface Origin {
  source: AgentSource
  /** File path or config path, for messages and the API. */
  where: string
  file?: string
  createdAt?: string
}

export interface StaticAgent {
  agent: PersonaDefinition
  source: 'config' | 'file'
  where: string
}

export interface CatalogDeps {
  agents: Registry<AgentDefinition>
  providers: Registry<ProviderDefinition>
  /** Ids of the agents under `kernel.agents` in the config file (the kernel registers them). */
  kernelAgentIds: ReadonlySet<string>
  clock: Pick<Clock, 'now'>
  logger: Logger
}

/** A problem with an agent's provider or model, or null when both are available. */
export function modelProblem(providers: Registry<ProviderDefinition>, providerId: string, modelId: string): (Omit<AgentProblem, 'where'> & { code: string; details: Record<string, unknown> }) | null {
  const provider = providers.get(providerId)
  if (!provider) {
    const known = providers.ids().sort()
    return {
      code: PersonasErrorCode.PROVIDER_UNKNOWN,
      message: `provider "${providerId}" is not enabled (enabled providers: ${known.join(', ') || 'none'})`,
      fix: 'enable its provider plugin in the config file, or pick an enabled provider',
      details: { provider: providerId, known },
    }
  }
  const models = provider.listModels().map((m) => m.id)
  if (provider.acceptsUnknownModels || models.includes(modelId)) return null
  return {
    code: PersonasErrorCode.MODEL_UNKNOWN,
    message: `provider "${providerId}" has no model "${modelId}" (its models: ${models.join(', ') || 'none'})`,
    fix: 'pick one of its models',
    details: { provider: providerId, model: modelId, known: models },
  }
}

export function createCatalog(deps: CatalogDeps) {
  const origins = new Map<string, Origin>()

  const sourceOf = (id: string): AgentSource => origins.get(id)?.source ?? (deps.kernelAgentIds.has(id) ? 'config' : 'plugin')
  const whereOf = (id: string) => origins.get(id)?.where ?? (deps.kernelAgentIds.has(id) ? `kernel.agents.${id} in the config file` : 'another plugin')

  function summary(agent: AgentDefinition): AgentSummary {
    const { id, name, description, provider, model, tools } = agent
    return { id, name: name ?? id, description, provider, model, tools, source: sourceOf(id) }
  }

  function detail(agent: AgentDefinition): AgentDetail {
    const origin = origins.get(agent.id)
    return {
      ...summary(agent),
      systemPrompt: agent.systemPrompt,
      permissions: (agent as Partial<PersonaDefinition>).permissions ?? [],
      ...(origin?.file ? { file: origin.file } : {}),
      ...(origin?.createdAt ? { createdAt: origin.createdAt } : {}),
    }
  }

  /** Register config and file agents (during register); an id defined twice is a boot error. */
  function addStatic(items: StaticAgent[]): void {
    const problems: AgentProblem[] = []
    const batch = new Map<string, StaticAgent>()
    for (const item of items) {
      const id = item.agent.id
      const other = batch.get(id)?.where ?? (deps.agents.has(id) ? whereOf(id) : undefined)
      if (other) problems.push({ where: item.where, message: `the agent id "${id}" is already defined by ${other}`, fix: 'rename one of them (a file\'s id is its name without .md)' })
      else batch.set(id, item)
    }
    if (problems.length > 0) throw problemsError(PersonasErrorCode.DUPLICATE, `${plural(problems.length, 'agent id')} defined twice`, problems)
    for (const item of batch.values()) {
      origins.set(item.agent.id, { source: item.source, where: item.where, ...(item.source === 'file' ? { file: item.where } : {}) })
      deps.agents.add(item.agent)
    }
  }

  /** Check the providers and models of the config and file agents (lifecycle.start: every provider has registered). */
  function validateStatic(): void {
    const problems: AgentProblem[] = []
    for (const [id, origin] of origins) {
      const agent = deps.agents.get(id)
      if (!agent || origin.source === 'api') continue
      const problem = modelProblem(deps.providers, agent.provider, agent.model)
      if (problem) problems.push({ where: origin.where, message: problem.message, fix: problem.fix })
    }
    if (problems.length > 0) throw problemsError(PersonasErrorCode.AGENT_INVALID, `${plural(problems.length, 'agent')} name a provider or model that is not available`, problems)
  }

  /** Add the agents stored through the API (lifecycle.start); ids now taken by a config or file agent stay out. */
  async function loadStored(store: AgentStore): Promise<void> {
    const { agents, invalid } = await store.load()
    for (const row of invalid) deps.logger.warn('a stored agent is invalid and was not loaded', { agent: row.id, problem: row.message })
    for (const { agent, createdAt } of agents) {
      if (deps.agents.has(agent.id)) {
        deps.logger.warn('a stored agent is shadowed by another agent with the same id and was not loaded', { agent: agent.id, by: whereOf(agent.id) })
        continue
      }
      origins.set(agent.id, { source: 'api', where: 'the API', createdAt })
      deps.agents.add(agent)
    }
  }

  /** POST /api/agents: validate, store (when persistence is loaded), register. */
  async function create(input: AgentFields & { id: string }, store: AgentStore | null): Promise<AgentDetail> {
    const exists = () =>
      new PlatformError(PersonasErrorCode.AGENT_EXISTS, `An agent with the id "${input.id}" already exists (defined by ${whereOf(input.id)}). Pick another id.`, {
        httpStatus: 409,
        details: { id: input.id, source: deps.agents.has(input.id) ? sourceOf(input.id) : 'api' },
      })
    if (deps.agents.has(input.id)) throw exists()
    const problem = modelProblem(deps.providers, input.provider, input.model)
    if (problem) throw new PlatformError(problem.code, `Cannot create the agent: ${problem.message}. Fix: ${problem.fix}.`, { httpStatus: 400, details: problem.details })
    const agent: PersonaDefinition = { ...input }
    const createdAt = deps.clock.now().toISOString()
    // The table's primary key settles concurrent requests (and other server instances).
    if (store && !(await store.insert(agent, createdAt))) throw exists()
    origins.set(agent.id, { source: 'api', where: 'the API', createdAt })
    deps.agents.add(agent)
    return detail(agent)
  }

  /** Log agents whose tool lists name tools nobody registered (sessions get only the registered ones). */
  function warnUnknownTools(tools: Registry<unknown>): void {
    for (const [id, origin] of origins) {
      const listed = deps.agents.get(id)?.tools
      const unknown = Array.isArray(listed) ? listed.filter((name) => !tools.has(name)) : []
      if (unknown.length > 0) deps.logger.warn('an agent lists tools that are not registered; its sessions get the others', { agent: id, where: origin.where, tools: unknown })
    }
  }

  return {
    addStatic,
    warnUnknownTools,
    validateStatic,
    loadStored,
    create,
    list: (): AgentSummary[] => deps.agents.list().map(summary).sort((a, b) => a.id.localeCompare(b.id)),
    get: (id: string): AgentDetail | undefined => {
      const agent = deps.agents.get(id)
      return agent ? detail(agent) : undefined
    },
    permissionsOf: (id: string): PermissionRule[] => (deps.agents.get(id) as Partial<PersonaDefinition> | undefined)?.permissions ?? [],
  }
}

export type Catalog = ReturnType<typeof createCatalog>
