import type { ScriptedProviderService } from './scripted-client.js'

export type { ScriptedProviderService, RecordedRequest } from './scripted-client.js'

declare module '../../../kernel/services.js' {
  interface KernelServices {
    providerScripted: ScriptedProviderService
  }
}
