import type { EndpointInfo } from './providers.js'

export type { EndpointInfo } from './providers.js'

/** Service `providerOpenaiCompatible`: the endpoints this plugin serves (no secrets). */
export interface ProviderOpenaiCompatibleService {
  endpoints(): EndpointInfo[]
}

declare module '../../../kernel/services.js' {
  interface KernelServices {
    providerOpenaiCompatible: ProviderOpenaiCompatibleService
  }
}
