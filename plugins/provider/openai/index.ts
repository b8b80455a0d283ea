import { definePlugin } from '../../../kernel/index.js'
import { createChatClient } from './chat-client.js'
import { configSchema } from './config.js'
import { openaiDefinitions, type OpenaiRuntime } from './providers.js'
import type { ProviderOpenaiService } from './services.js'

/**
 * OpenAI as llxprt speaks to it: `openai` (Chat Completions via the openai SDK; GPT-5.6+ on
 * api.openai.com via Responses), `openai-responses` (Responses over fetch) and `codex` (Responses on
 * the ChatGPT backend with the ChatGPT login).
 */
export default definePlugin({
  name: 'provider-openai',
  version: '0.1.0',
  description: 'OpenAI Chat Completions, Responses API and ChatGPT Codex, wire-compatible with llxprt.',
  configSchema,
  register(ctx) {
    const runtime: OpenaiRuntime = {
      credentials: () => ctx.resolve('credentials'),
      version: () => ctx.resolve('version'),
      logger: ctx.logger,
    }
    const service: ProviderOpenaiService = {
      createChatClient: (spec, deps) => createChatClient(spec, { credentials: runtime.credentials, logger: deps.logger }),
    }
    ctx.provide('providerOpenai', () => service)
    for (const definition of openaiDefinitions(ctx.options, runtime)) ctx.registries.providers.add(definition)
  },
})
