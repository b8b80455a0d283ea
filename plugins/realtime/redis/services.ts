/** The public surface of realtime-redis (import type only, from plugins that list it in dependsOn). */
export interface RealtimeRedisService {
  /** 'redis' when a URL is configured (ports replaced), else 'memory' (the kernel's in-memory ports). */
  readonly mode: 'redis' | 'memory'
  /** Round-trip time of a PING on the command connection, in ms (0 in memory mode). */
  ping(): Promise<number>
}

declare module '../../../kernel/services.js' {
  interface KernelServices {
    realtimeRedis: RealtimeRedisService
  }
}
