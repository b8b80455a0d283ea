import { decideByRules, definePlugin, PermissionStage } from '../../../kernel/index.js'
import { configSchema } from './config.js'
import { isEnvFile } from './decide.js'
import './services.js'

/**
 * Allow / ask / deny rule lists taps on tool.permission: admin list -> the agent's list -> the
 * project's list (with the .env guard). Nothing decisive: the kernel goes on with the session's
 * "always" answers, then the default by tool kind, then asks the user.
 */
export default definePlugin({
  name: 'permission-policy',
  version: '0.1.0',
  description: 'Permission rules per tool and subject: admin, agent and project lists.',
  configSchema,
  register(ctx) {
    const { admin, rules, denyEnvFiles } = ctx.options
    ctx.provide('permissionPolicy', () => ({ rules: () => ({ admin, project: rules }) }))
    ctx.hooks.tool.permission.tapPromise({ stage: PermissionStage.ADMIN_POLICY }, async (call) => decideByRules(admin, call, 'admin'))
    ctx.hooks.tool.permission.tapPromise({ stage: PermissionStage.AGENT }, async (call, turn) => {
      const agent = ctx.registries.agents.get(turn.session.agent)
      return agent ? decideByRules(agent.permissions ?? [], call, `agent ${agent.id}`) : undefined
    })
    ctx.hooks.tool.permission.tapPromise({ stage: PermissionStage.PROJECT_POLICY }, async (call) => {
      const ruled = decideByRules(rules, call, 'project')
      if (ruled) return ruled
      if (denyEnvFiles && isEnvFile(call.subject)) {
        return { action: 'deny', decidedBy: 'project', reason: `${call.subject} is an environment file and may hold secrets (allow it with a rule if you must)` }
      }
      return undefined
    })
  },
})
