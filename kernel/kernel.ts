import { asFunction, asValue, type AwilixContainer } from 'awilix'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { KernelConfig, PlatformConfigInput } from './config.js'
import { createRootContainer, registerKernelValue, type ServiceOwnership } from './container.js'
import { describeKernel, type KernelDescription } from './describe.js'
import { KernelErrorCode, PlatformError } from './errors.js'
import { createHooks, listHooks, ShutdownStage, type AnyHook, type KernelHooks } from './hooks/index.js'
import { installInterceptors, notifyHook, withTimeout } from './interceptors.js'
import { loadPlugins, type LoadedPlugin } from './loader.js'
import { PACKAGE_ROOT } from './paths.js'
import { createLogger, createUlidIds, systemClock } from './ports/basics.js'
import { createMemoryEventBus } from './ports/memory-event-bus.js'
import { createMemoryCredentialStore } from './ports/memory-credential-store.js'
import { createCredentialResolver } from './credential-resolver.js'
import { createMemoryKeyValue, createMemoryLocks } from './ports/memory-locks.js'
import { createMemorySessionStore } from './ports/memory-session-store.js'
import { createTimerScheduler } from './ports/timer-scheduler.js'
import type { Clock, Ids, Logger } from './ports/types.js'
import { createPluginContext } from './plugin-context.js'
import { createRegistries, type KernelRegistries } from './registries/index.js'
import type { KernelServices } from './services.js'
import { SessionEngine } from './session/engine.js'

export const VERSION = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version

export type KernelState = 'created' | 'registering' | 'starting' | 'warming' | 'ready' | 'stopping' | 'stopped' | 'failed'

export interface BootOptions {
  config: PlatformConfigInput
  /** Path of the config file (for messages and for resolving relative plugin paths). */
  configFile: string
  logger?: Logger
  clock?: Clock
  ids?: Ids
  /** Called once when shutdown finishes (the CLI exits there). */
  onClosed?: () => void
  /** Called with the hooks before any plugin registers (test recorders install interceptors here). */
  onHooks?: (hooks: KernelHooks) => void
}

export interface PluginRuntimeInfo {
  plugin: LoadedPlugin
  state: 'registered' | 'started' | 'failed'
  startMs?: number
  warmupMs?: number
  warmupError?: string
}

/** The kernel: owns hooks, registries, the root container and the plugins' lifecycle. */
export class Kernel {
  readonly version = VERSION
  readonly hooks: KernelHooks = createHooks()
  readonly registries: KernelRegistries = createRegistries()
  readonly container: AwilixContainer = createRootContainer()
  readonly ownership: ServiceOwnership = { owner: new Map() }
  readonly replacedPorts = new Map<string, string>()
  readonly plugins: PluginRuntimeInfo[] = []
  state: KernelState = 'created'
  bootMs = 0
  config!: KernelConfig
  logger: Logger
  #closing: Promise<void> | null = null
  #options: BootOptions

  private constructor(options: BootOptions) {
    this.#options = options
    this.logger = options.logger ?? createLogger({ level: 'info' })
  }

  /** config -> sort -> parse -> register -> start -> warmup -> ready. */
  static async boot(options: BootOptions): Promise<Kernel> {
    const kernel = new Kernel(options)
    const started = performance.now()
    const loaded = await loadPlugins(options.config, options.configFile)
    kernel.config = loaded.kernel
    if (!options.logger) kernel.logger = createLogger({ level: loaded.kernel.logLevel })
    kernel.#wire(loaded.plugins)
    options.onHooks?.(kernel.hooks)
    try {
      kernel.#registerAll()
      kernel.state = 'starting'
      await kernel.hooks.lifecycle.start.promise(kernel)
      for (const info of kernel.plugins) if (info.state === 'registered') info.state = 'started'
      kernel.state = 'warming'
      await kernel.notify(kernel.hooks.lifecycle.warmup, kernel)
      for (const registry of Object.values(kernel.registries)) registry.freeze()
      kernel.bootMs = Math.round(performance.now() - started)
      kernel.state = 'ready'
      await kernel.notify(kernel.hooks.lifecycle.ready, kernel, { addresses: kernel.addresses, bootMs: kernel.bootMs })
      return kernel
    } catch (error) {
      kernel.state = 'failed'
      await kernel.notify(kernel.hooks.lifecycle.failed, error, 'boot')
      await kernel.close('boot failed').catch(() => undefined)
      throw error
    }
  }

  /** Addresses published by plugins that listen (server-http adds its URL). */
  readonly addresses: string[] = []

  get engine(): SessionEngine {
    return this.container.resolve('engine')
  }

  resolve<K extends keyof KernelServices>(key: K): KernelServices[K]
  resolve<T>(key: string): T
  resolve(key: string): unknown {
    return this.container.resolve(key)
  }

  /** Call a notification hook: taps are isolated, errors are logged with plugin and hook, never thrown. */
  notify(hook: unknown, ...args: unknown[]): Promise<void> {
    const entry = listHooks(this.hooks).find(([, h]) => h === hook)
    return notifyHook(hook as AnyHook, entry?.[0] ?? 'unknown', args, this.logger)
  }

  describe(): KernelDescription {
    return describeKernel(this)
  }

  /** Shutdown: DRAIN taps, running turns aborted, then the rest in reverse dependency order, then dispose. */
  close(reason = 'requested'): Promise<void> {
    this.#closing ??= this.#close(reason)
    return this.#closing
  }

  async #close(reason: string): Promise<void> {
    const previous = this.state
    this.state = 'stopping'
    this.logger.info('shutting down', { reason })
    const shutdown = previous === 'created' || previous === 'registering' ? Promise.resolve() : this.hooks.lifecycle.shutdown.promise(reason)
    try {
      await withTimeout(shutdown, this.config?.timeouts.shutdownMs ?? 10_000, 'kernel', 'lifecycle.shutdown')
    } catch (error) {
      const code = (error as PlatformError).code === KernelErrorCode.HOOK_TIMEOUT ? KernelErrorCode.SHUTDOWN_TIMEOUT : (error as PlatformError).code
      this.logger.error('shutdown did not finish cleanly', { code, error: (error as Error).message })
      await this.notify(this.hooks.lifecycle.failed, error, 'shutdown')
    }
    await this.container.dispose().catch((error: unknown) => this.logger.error('dispose failed', { error: String(error) }))
    this.state = 'stopped'
    this.#options.onClosed?.()
  }

  #wire(plugins: LoadedPlugin[]): void {
    const order = new Map(plugins.map((p, i) => [p.id, i + 1]))
    const allowed = new Set(['kernel', ...order.keys()])
    const timeouts = this.config.timeouts
    installInterceptors(this.hooks, {
      allowedNames: () => allowed,
      orderOf: (name) => order.get(name) ?? 0,
      timeoutFor: (hook) => (hook === 'lifecycle.start' ? timeouts.startMs : hook === 'lifecycle.warmup' ? timeouts.warmupMs : hook === 'lifecycle.shutdown' ? timeouts.shutdownMs : timeouts.tapMs),
      logger: this.logger,
      onTiming: (hook, plugin, ms, error) => this.#recordTiming(hook, plugin, ms, error),
    })
    for (const plugin of plugins) this.plugins.push({ plugin, state: 'registered' })
    this.#registerKernelServices()
    for (const [id, agent] of Object.entries(this.config.agents)) this.registries.agents.add({ id, ...agent })
    // The engine stops taking turns right after the HTTP server drains.
    this.hooks.lifecycle.shutdown.tapPromise({ name: 'kernel', stage: ShutdownStage.DRAIN + 1 }, async () => {
      if (this.ownership.owner.has('engine') && this.#engineCreated) await this.engine.close()
    })
  }

  #engineCreated = false

  #registerKernelServices(): void {
    const c = this.container
    const o = this.ownership
    const clock = this.#options.clock ?? systemClock
    registerKernelValue(c, o, 'config', this.config)
    registerKernelValue(c, o, 'hooks', this.hooks)
    registerKernelValue(c, o, 'logger', this.logger)
    registerKernelValue(c, o, 'registries', this.registries)
    registerKernelValue(c, o, 'clock', clock)
    registerKernelValue(c, o, 'ids', this.#options.ids ?? createUlidIds())
    registerKernelValue(c, o, 'version', this.version)
    registerKernelValue(c, o, 'kernel', this)
    const port = (key: string, factory: (cradle: Record<string, unknown>) => unknown, dispose?: (value: never) => unknown) => {
      let resolver = asFunction(factory).singleton()
      if (dispose) resolver = resolver.disposer(dispose as (value: unknown) => void)
      c.register(key, resolver)
      o.owner.set(key, { plugin: 'kernel', lifetime: 'singleton' })
    }
    port('sessionStore', () => createMemorySessionStore())
    port('eventBus', () => createMemoryEventBus({ clock, retention: this.config.limits.eventRetention }))
    port('locks', () => createMemoryLocks())
    port('kv', () => createMemoryKeyValue())
    port('scheduler', () => createTimerScheduler({ logger: this.logger.child('scheduler') }), (s: { stop?: () => void }) => s.stop?.())
    port('credentialStore', (cradle) => createMemoryCredentialStore({ clock, ids: cradle.ids as KernelServices['ids'] }))
    port('credentials', () => createCredentialResolver({ sources: this.registries.credentialSources, logger: this.logger.child('credentials') }))
    port('engine', (cradle) => {
      this.#engineCreated = true
      return new SessionEngine({
        config: this.config,
        hooks: this.hooks,
        registries: this.registries,
        sessionStore: cradle.sessionStore as KernelServices['sessionStore'],
        eventBus: cradle.eventBus as KernelServices['eventBus'],
        locks: cradle.locks as KernelServices['locks'],
        clock,
        ids: cradle.ids as KernelServices['ids'],
        logger: this.logger.child('engine'),
        container: c,
        notify: (hook, ...args) => this.notify(hook, ...args),
      })
    })
    c.register('container', asValue(c))
  }

  #registerAll(): void {
    this.state = 'registering'
    const loadedIds = new Set(this.plugins.map((p) => p.plugin.id))
    for (const info of this.plugins) {
      const ctx = createPluginContext(info.plugin, {
        container: this.container, ownership: this.ownership, hooks: this.hooks, registries: this.registries,
        kernelConfig: this.config, logger: this.logger, loadedIds, replacedPorts: this.replacedPorts,
      })
      const result = info.plugin.definition.register(ctx as never) as unknown
      if (result instanceof Promise) {
        result.catch(() => undefined)
        throw new PlatformError(KernelErrorCode.REGISTER_ASYNC, `${info.plugin.id}.register returned a promise; register must be synchronous (do I/O in lifecycle.start).`, { details: { plugin: info.plugin.id } })
      }
    }
  }

  #recordTiming(hook: string, plugin: string, ms: number, error?: unknown): void {
    const info = this.plugins.find((p) => p.plugin.id === plugin)
    if (!info) return
    const rounded = Math.round(ms * 10) / 10
    if (hook === 'lifecycle.start') {
      info.startMs = (info.startMs ?? 0) + rounded
      if (error) info.state = 'failed'
    } else if (hook === 'lifecycle.warmup') {
      info.warmupMs = (info.warmupMs ?? 0) + rounded
      if (error) info.warmupError = (error as Error).message
    }
  }
}
