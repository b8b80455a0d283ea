import type { z } from 'zod'
import type { KernelConfig } from './config.js'
import type { HooksFacade } from './interceptors.js'
import type { Logger, PortName } from './ports/types.js'
import type { KernelRegistries } from './registries/index.js'
import type { KernelServices } from './services.js'

export type Lifetime = 'singleton' | 'scoped' | 'transient'

/** The restricted view of the container a service factory receives: only its declared deps. */
export type Cradle = KernelServices & Record<string, unknown>

export interface ProvideOptions<T> {
  lifetime?: Lifetime
  /** Every service key the factory reads; reading any other throws KERNEL_SERVICE_UNDECLARED. */
  deps?: string[]
  dispose?: (instance: T) => unknown
}

export interface PluginContext<Options> {
  readonly name: string
  readonly options: Options
  readonly kernelConfig: KernelConfig
  readonly logger: Logger
  readonly hooks: HooksFacade
  readonly registries: KernelRegistries
  /** Register a service under `key` (camelCased plugin id, or `<camelId><Thing>`). */
  provide<T>(key: string, factory: (cradle: Cradle) => T, options?: ProvideOptions<T>): void
  /** Replace a kernel port's in-memory default; at most one plugin per port. */
  replacePort<K extends PortName>(port: K, factory: (cradle: Cradle) => KernelServices[K], options?: ProvideOptions<KernelServices[K]>): void
  /** Whether an optional dependency is loaded. */
  has(pluginId: string): boolean
  /** Runtime access to a service (kernel-owned, own, or of a plugin in dependsOn / optionalDependsOn). */
  resolve<K extends keyof KernelServices>(key: K): KernelServices[K]
  resolve<T>(key: string): T
}

export interface PluginDefinition<Schema extends z.ZodType = z.ZodType> {
  /** `<family>-<name>`, equal to its config key. */
  name: string
  version?: string
  description?: string
  dependsOn?: string[]
  optionalDependsOn?: string[]
  /** zod schema of the plugin's options; object schemas are made strict by the loader. */
  configSchema?: Schema
  /** Sync wiring only: no I/O, no await. Returning a promise is a boot error. */
  register(ctx: PluginContext<z.output<Schema>>): void
}

/** Identity helper that types a plugin definition. */
export function definePlugin<Schema extends z.ZodType>(plugin: PluginDefinition<Schema>): PluginDefinition<Schema> {
  return plugin
}

export function isPluginDefinition(value: unknown): value is PluginDefinition {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as PluginDefinition).name === 'string' &&
    typeof (value as PluginDefinition).register === 'function'
  )
}
