import { definePlugin } from '../../../kernel/index.js'
import { createCodeExecService } from './code-runner.js'
import { configSchema } from './config.js'
import { createExecuteCodeTool } from './execute-code.js'
import { permissionFlag } from './javascript.js'
import './services.js'

/** `execute_code`: JavaScript (and Python when present) snippets in isolated, limited child processes. */
export default definePlugin({
  name: 'tool-code-exec',
  version: '0.1.0',
  description: 'Runs JavaScript and Python snippets in isolated child processes with time, memory and output limits.',
  configSchema,
  register(ctx) {
    const service = createCodeExecService(ctx.options, ctx.logger)
    ctx.provide('toolCodeExec', () => service)
    ctx.registries.tools.add(createExecuteCodeTool(ctx.options, service))
    ctx.hooks.lifecycle.start.tapPromise({}, async () => {
      if (!permissionFlag()) ctx.logger.warn(`Node.js ${process.version} has no permission model: execute_code refuses JavaScript snippets`)
      const python = await service.python()
      if (python) ctx.logger.info('execute_code: Python available', { executable: python.executable, version: python.version })
      else if (ctx.options.python) ctx.logger.warn(`execute_code: Python not found (command "${ctx.options.pythonCommand}"); Python snippets answer with an error`)
      else ctx.logger.info('execute_code: Python turned off by the options')
    })
  },
})
