import type { protocol } from '../../../kernel/index.js'

/** The public surface of monitor-system (import type only). */
export interface MonitorSystemService {
  /** What GET /api/system answers: checks database and Redis health now (bounded by healthTimeoutMs). */
  snapshot(): Promise<protocol.SystemMetrics>
  /** The Prometheus text of GET /metrics; null when `prometheus` is off. */
  prometheusText(): Promise<string | null>
}

declare module '../../../kernel/services.js' {
  interface KernelServices {
    monitorSystem: MonitorSystemService
  }
}
