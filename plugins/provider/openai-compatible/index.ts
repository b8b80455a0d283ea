import { definePlugin } from '../../../kernel/index.js'
import { configSchema, effectiveEndpoints } from './config.js'
import { credentialSources } from './credentials.js'
import { endpointDefinition, endpointInfo, type CompatibleRuntime } from './providers.js'
import type { ProviderOpenaiCompatibleService } from './services.js'

/**
 * One provider per configured OpenAI-compatible endpoint (Qwen on DashScope by default, local
 * servers, gateways), speaking Chat Completions through provider-openai's SDK client.
 */
export default definePlugin({
  name: 'provider-openai-compatible',
  version: '0.1.0',
  description: 'OpenAI-compatible Chat Completions endpoints (Qwen via DashScope by default).',
  dependsOn: ['provider-openai'],
  configSchema,
  register(ctx) {
    const endpoints = effectiveEndpoints(ctx.options)
    const runtime: CompatibleRuntime = {
      credentials: () => ctx.resolve('credentials'),
      chat: () => ctx.resolve('providerOpenai'),
    }
    const service: ProviderOpenaiCompatibleService = { endpoints: () => endpoints.map(endpointInfo) }
    ctx.provide('providerOpenaiCompatible', () => service)
    for (const source of credentialSources(endpoints)) ctx.registries.credentialSources.add(source)
    for (const endpoint of endpoints) ctx.registries.providers.add(endpointDefinition(endpoint, ctx.options, runtime))
  },
})
