import { definePlugin } from '../../../kernel/index.js'
import { configSchema } from './config.js'
import { createRunCommandTool } from './run-command.js'
import { createShellService } from './shell-service.js'
import './services.js'

/** run_command: shell commands in the session workspace, in their own process group. */
export default definePlugin({
  name: 'tool-shell',
  version: '0.1.0',
  description: 'run_command: shell commands in the session workspace with timeout, streamed output, output cap and process-group kill.',
  configSchema,
  register(ctx) {
    const shell = createShellService(ctx.options)
    ctx.provide('toolShell', () => shell)
    ctx.registries.tools.add(createRunCommandTool({ options: ctx.options, shell }))
    ctx.hooks.lifecycle.start.tapPromise({}, async () => {
      const launcher = await shell.launcher()
      ctx.logger.info('run_command ready', { shell: launcher.shell, networkIsolated: launcher.networkIsolated })
      if (!ctx.options.allowNetwork && !launcher.networkIsolated) {
        ctx.logger.warn('allowNetwork is false but no network namespace can be created here (unshare); commands still have network access, the setting is advisory')
      }
    })
    ctx.hooks.lifecycle.shutdown.tapPromise({}, () => shell.stopAll())
  },
})
