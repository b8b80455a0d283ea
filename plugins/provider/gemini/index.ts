import { definePlugin } from '../../../kernel/index.js'
import { decideAuthMode } from './auth-mode.js'
import { checkGeminiCredential } from './check.js'
import { createGeminiClient } from './client.js'
import { configSchema } from './config.js'
import { GEMINI_MODELS } from './models.js'
import type { GeminiProviderService } from './services.js'

/** Google Gemini: the Gemini API by key, Vertex AI, and Code Assist with a Google login, as gemini-cli does it. */
export default definePlugin({
  name: 'provider-gemini',
  version: '0.1.0',
  description: 'Gemini API (key), Vertex AI and Code Assist (Google login), on the wire as gemini-cli 0.61.0.',
  configSchema,
  register(ctx) {
    const options = ctx.options
    const client = createGeminiClient({
      options,
      credentials: () => ctx.resolve('credentials'),
      version: () => ctx.resolve('version'),
      logger: ctx.logger,
    })
    const service: GeminiProviderService = { authMode: () => decideAuthMode(options.mode, process.env), client }
    ctx.provide('providerGemini', () => service)
    ctx.registries.providers.add({
      id: 'gemini',
      displayName: 'Google Gemini',
      listModels: () => GEMINI_MODELS,
      acceptsUnknownModels: options.acceptUnknownModels,
      checkCredential: () => checkGeminiCredential(options.mode, process.env, ctx.resolve('credentials')),
      createClient: () => client,
    })
  },
})
