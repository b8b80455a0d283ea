import type { AnthropicService } from './service.js'

export type { AnthropicService } from './service.js'
export type { RateLimitInfo, RateLimitBucket } from './rate-limit.js'

declare module '../../../kernel/services.js' {
  interface KernelServices {
    providerAnthropic: AnthropicService
  }
}
