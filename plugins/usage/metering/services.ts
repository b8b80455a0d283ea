import type { protocol } from '../../../kernel/index.js'
import type { LedgerRow } from './ledger-store.js'
import type { MeteredCall } from './meter.js'
import type { PriceLookup } from './pricing.js'

/** The public surface of usage-metering (service key `usageMetering`). */
export interface UsageMeteringService {
  /** Meter one call by hand (the hooks do it for every model call). */
  record(call: MeteredCall): Promise<LedgerRow>
  /** Wait for every ledger write issued so far. */
  flush(): Promise<void>
  /** GET /api/sessions/:id/usage; USAGE_METERING_SESSION_NOT_FOUND (404) for an unknown session. */
  sessionUsage(sessionId: string): Promise<protocol.SessionUsageResponse>
  /** GET /api/usage. */
  report(range: { from: Date; to: Date; groupBy: protocol.UsageGroupBy }): Promise<protocol.UsageReportResponse>
  /** The price a call of this provider and model would pay (config override, catalogue, or unknown). */
  priceOf(provider: string, model: string): PriceLookup
}

declare module '../../../kernel/services.js' {
  interface KernelServices {
    usageMetering: UsageMeteringService
  }
}
