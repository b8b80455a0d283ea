import { definePlugin } from '../../../kernel/index.js'
import { configSchema } from './config.js'
import { PROVIDER } from './sdk.js'
import { createAnthropicService } from './service.js'
import './services.js'

/** Anthropic Messages API (API key or Claude subscription token), shaped on the wire as llxprt sends it. */
export default definePlugin({
  name: 'provider-anthropic',
  version: '0.1.0',
  description: 'Claude through the Anthropic Messages API: streaming text, thinking with signatures, tool use, prompt caching.',
  configSchema,
  register(ctx) {
    const service = createAnthropicService({ options: ctx.options, credentials: () => ctx.resolve('credentials'), logger: ctx.logger })
    ctx.provide('providerAnthropic', () => service)
    ctx.registries.providers.add({
      id: PROVIDER,
      displayName: 'Anthropic (Claude)',
      listModels: () => service.listModels(),
      acceptsUnknownModels: ctx.options.acceptUnknownModels,
      checkCredential: () => service.checkCredential(),
      createClient: ({ logger }) => service.createClient(logger),
    })
    ctx.hooks.lifecycle.warmup.tapPromise({}, async () => {
      if (ctx.options.refreshModels) await service.refreshModels()
    })
  },
})
