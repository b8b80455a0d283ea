import { definePlugin } from '../../../kernel/index.js'
import { configSchema } from './config.js'
import { createScriptedService } from './scripted-client.js'
import './services.js'

/** A provider that streams configured replies: the demo agent's model and the tests' fake. */
export default definePlugin({
  name: 'provider-scripted',
  version: '0.1.0',
  description: 'Scripted replies (text, thoughts, tool calls, usage, errors) at a configurable pace.',
  configSchema,
  register(ctx) {
    const service = createScriptedService(ctx.options)
    ctx.provide('providerScripted', () => service)
    ctx.registries.providers.add({
      id: 'scripted',
      displayName: 'Scripted (demo, no API key)',
      listModels: () => ctx.options.models.map((id) => ({ id, displayName: `Scripted ${id}`, contextWindow: ctx.options.contextWindow })),
      createClient: () => service.client,
    })
  },
})
