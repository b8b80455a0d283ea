import type { Logger, ProviderClient } from '../../../kernel/index.js'
import type { ChatClientSpec } from './chat-client.js'

export type { ChatClientSpec } from './chat-client.js'
export type { ChatBodyOptions } from './chat-request.js'
export type { ErrorContext } from './errors.js'
export type { RetryOptions } from './config.js'

/** Service `providerOpenai`: the Chat Completions client, for plugins that serve OpenAI-compatible endpoints. */
export interface ProviderOpenaiService {
  /**
   * A Chat Completions client over the openai SDK 5.23.2 (same wire as the `openai` provider),
   * pointed at `spec.baseUrl`, resolving its key through the kernel `credentials` service.
   */
  createChatClient(spec: ChatClientSpec, deps: { logger: Logger }): ProviderClient
}

declare module '../../../kernel/services.js' {
  interface KernelServices {
    providerOpenai: ProviderOpenaiService
  }
}
