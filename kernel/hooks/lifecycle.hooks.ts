import { AsyncParallelHook, AsyncSeriesHook, SyncHook } from 'tapable'

/** Addresses and timings handed to lifecycle.ready. */
export interface ReadyInfo {
  addresses: string[]
  bootMs: number
}

/** A handle on the kernel that lifecycle taps receive (the full Kernel is passed at runtime). */
export interface LifecycleKernel {
  readonly version: string
  /** URLs the platform serves on; a listening plugin pushes its own in lifecycle.start. */
  readonly addresses: string[]
}

export function createLifecycleHooks() {
  return {
    /** I. Boot, dependency order: connect, migrate, listen (StartStage.LISTEN). Errors abort boot. */
    start: new AsyncSeriesHook<[LifecycleKernel]>(['kernel'], 'lifecycle.start'),
    /** N. After start, in parallel, best effort: caches, catalogs. Errors are logged as warnings. */
    warmup: new AsyncParallelHook<[LifecycleKernel]>(['kernel'], 'lifecycle.warmup'),
    /** N. Serving. */
    ready: new SyncHook<[LifecycleKernel, ReadyInfo]>(['kernel', 'info'], 'lifecycle.ready'),
    /** I. Close, reverse dependency order (ShutdownStage.DRAIN first). */
    shutdown: new AsyncSeriesHook<[string]>(['reason'], 'lifecycle.shutdown'),
    /** N. Any boot or shutdown failure. */
    failed: new SyncHook<[Error, string]>(['error', 'phase'], 'lifecycle.failed'),
  }
}
export type LifecycleHooks = ReturnType<typeof createLifecycleHooks>
