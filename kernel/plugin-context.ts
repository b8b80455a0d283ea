import type { AwilixContainer } from 'awilix'
import type { KernelConfig } from './config.js'
import { registerService, type ServiceOwnership } from './container.js'
import { KernelErrorCode, PlatformError } from './errors.js'
import type { KernelHooks } from './hooks/index.js'
import { createHooksFacade } from './interceptors.js'
import type { LoadedPlugin } from './loader.js'
import type { PluginContext } from './plugin.js'
import type { Logger, PortName } from './ports/types.js'
import type { KernelRegistries } from './registries/index.js'
import { KERNEL_SERVICE_KEYS } from './services.js'

export interface ContextDeps {
  container: AwilixContainer
  ownership: ServiceOwnership
  hooks: KernelHooks
  registries: KernelRegistries
  kernelConfig: KernelConfig
  logger: Logger
  loadedIds: ReadonlySet<string>
  replacedPorts: Map<string, string>
}

/** The `ctx` a plugin's register() receives. */
export function createPluginContext(plugin: LoadedPlugin, deps: ContextDeps): PluginContext<unknown> {
  const id = plugin.id
  const reachablePlugins = new Set([id, ...(plugin.definition.dependsOn ?? []), ...(plugin.definition.optionalDependsOn ?? [])])
  const reachable = (key: string) => {
    const owner = deps.ownership.owner.get(key)
    return owner !== undefined && reachablePlugins.has(owner.plugin)
  }
  return {
    name: id,
    options: plugin.options,
    kernelConfig: deps.kernelConfig,
    logger: deps.logger.child(id),
    hooks: createHooksFacade(deps.hooks, id),
    registries: deps.registries,
    provide(key, factory, options = {}) {
      if (KERNEL_SERVICE_KEYS.has(key)) {
        throw new PlatformError(KernelErrorCode.SERVICE_DUPLICATE, `${id} cannot provide "${key}": it is a kernel service; use replacePort for ports.`, { details: { plugin: id, service: key } })
      }
      registerService({ container: deps.container, ownership: deps.ownership, plugin: id, key, factory, options, reachable })
    },
    replacePort(port: PortName, factory, options = {}) {
      const previous = deps.replacedPorts.get(port)
      if (previous) {
        throw new PlatformError(KernelErrorCode.PORT_CONFLICT, `${id} and ${previous} both replace the ${port} port; enable only one of them.`, { details: { port, plugins: [previous, id] } })
      }
      registerService({ container: deps.container, ownership: deps.ownership, plugin: id, key: port, factory, options, reachable, replacing: true })
      deps.replacedPorts.set(port, id)
    },
    has: (pluginId) => deps.loadedIds.has(pluginId),
    resolve(key: string) {
      if (!KERNEL_SERVICE_KEYS.has(key) && !reachable(key)) {
        throw new PlatformError(KernelErrorCode.SERVICE_UNDECLARED, `${id} resolved "${key}", which neither the kernel nor a plugin in its dependsOn provides.`, { details: { plugin: id, service: key } })
      }
      return deps.container.resolve(key)
    },
  } as PluginContext<unknown>
}
