import { definePlugin, RequestBuildStage } from '../../../kernel/index.js'
import type {} from '../../persistence/postgres/services.js'
import { loadStaticAgents } from './agent-file.js'
import { createCatalog } from './catalog.js'
import { configSchema } from './config.js'
import { appendInstructions, createInstructionReader } from './instructions.js'
import { agentRoutes } from './routes.js'
import { AGENT_MIGRATION, createAgentStore, type AgentStore } from './store.js'
import type { AgentPersonasService } from './services.js'

/**
 * Agents (personas) from the config file, from `config/agents/*.md` and from the API; project
 * instruction files (AGENTS.md, LLXPRT.md, GEMINI.md, CLAUDE.md) appended to every system prompt.
 */
export default definePlugin({
  name: 'agent-personas',
  version: '0.1.0',
  description: 'Agents from config, markdown files and /api/agents; workspace instruction files in the system prompt.',
  optionalDependsOn: ['persistence-postgres'],
  configSchema,
  register(ctx) {
    const catalog = createCatalog({
      agents: ctx.registries.agents,
      providers: ctx.registries.providers,
      kernelAgentIds: new Set(Object.keys(ctx.kernelConfig.agents)),
      clock: { now: () => ctx.resolve('clock').now() },
      logger: ctx.logger,
    })
    catalog.addStatic(loadStaticAgents(ctx.options))
    const reader = createInstructionReader({ files: ctx.options.instructionFiles, maxBytes: ctx.options.instructionMaxBytes })
    const persisted = ctx.has('persistence-postgres')
    let store: AgentStore | null = null
    // persistence-postgres registered first (optionalDependsOn): the table is migrated in its lifecycle.start.
    if (persisted) ctx.resolve('persistencePostgres').addMigration(AGENT_MIGRATION)

    const service: AgentPersonasService = {
      list: catalog.list,
      get: catalog.get,
      permissionsOf: catalog.permissionsOf,
      instructionsFor: reader.instructionsFor,
    }
    ctx.provide('agentPersonas', () => service)
    for (const route of agentRoutes(catalog, () => store)) ctx.registries.routes.add(route)

    if (ctx.options.instructionFiles.length > 0) {
      ctx.hooks.request.build.tapPromise({ stage: RequestBuildStage.DEFAULT }, async (request, turn) => {
        const files = await reader.instructionsFor(turn.session.workspace)
        return files.length === 0 ? request : { ...request, system: appendInstructions(request.system, files) }
      })
    }
    ctx.hooks.lifecycle.start.tapPromise({}, async () => {
      catalog.validateStatic()
      if (!persisted) return
      store = createAgentStore(ctx.resolve('persistencePostgres'))
      await catalog.loadStored(store)
    })
    ctx.hooks.lifecycle.ready.tap({}, () => catalog.warnUnknownTools(ctx.registries.tools))
  },
})
