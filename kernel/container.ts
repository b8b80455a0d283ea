import { asFunction, asValue, createContainer, InjectionMode, Lifetime as AwilixLifetime, type AwilixContainer } from 'awilix'
import { KernelErrorCode, PlatformError } from './errors.js'
import type { Cradle, Lifetime, ProvideOptions } from './plugin.js'
import { KERNEL_SERVICE_KEYS } from './services.js'

const LIFETIMES: Record<Lifetime, (typeof AwilixLifetime)[keyof typeof AwilixLifetime]> = {
  singleton: AwilixLifetime.SINGLETON,
  scoped: AwilixLifetime.SCOPED,
  transient: AwilixLifetime.TRANSIENT,
}

/** One root container for the process: PROXY injection, strict lifetimes. */
export function createRootContainer(): AwilixContainer {
  return createContainer({ injectionMode: InjectionMode.PROXY, strict: true })
}

/** Who owns each service key, for the deps check and describe(). */
export interface ServiceOwnership {
  owner: Map<string, { plugin: string; lifetime: Lifetime }>
}

/** A cradle proxy that only lets a factory read the keys it declared. */
export function restrictCradle(cradle: Record<string, unknown>, allowed: ReadonlySet<string>, who: string): Cradle {
  return new Proxy(cradle, {
    get(target, key) {
      if (typeof key !== 'string') return undefined
      if (!allowed.has(key)) {
        throw new PlatformError(
          KernelErrorCode.SERVICE_UNDECLARED,
          `${who} read the service "${key}" without declaring it; add it to deps (and its owner to dependsOn).`,
          { details: { plugin: who, service: key } },
        )
      }
      return target[key]
    },
  }) as Cradle
}

export interface RegisterServiceInput<T> {
  container: AwilixContainer
  ownership: ServiceOwnership
  plugin: string
  key: string
  factory: (cradle: Cradle) => T
  options: ProvideOptions<T>
  /** Keys owned by plugins this one may depend on. */
  reachable: (key: string) => boolean
  replacing?: boolean
}

/** Register a plugin's service, checking its declared deps and ownership of the key. */
export function registerService<T>(input: RegisterServiceInput<T>): void {
  const { container, ownership, plugin, key, factory, options } = input
  const existing = ownership.owner.get(key)
  if (existing && !(input.replacing && existing.plugin === 'kernel')) {
    const code = input.replacing ? KernelErrorCode.PORT_CONFLICT : KernelErrorCode.SERVICE_DUPLICATE
    throw new PlatformError(code, `${plugin} cannot provide "${key}": ${existing.plugin} already does.`, {
      details: { plugin, service: key, owner: existing.plugin },
    })
  }
  const deps = new Set(options.deps ?? [])
  for (const dep of deps) {
    if (!KERNEL_SERVICE_KEYS.has(dep) && !input.reachable(dep)) {
      throw new PlatformError(
        KernelErrorCode.SERVICE_UNDECLARED,
        `${plugin} declares the service "${dep}" as a dependency of "${key}", but no kernel part or plugin in its dependsOn provides it.`,
        { details: { plugin, service: key, dependency: dep } },
      )
    }
  }
  const lifetime = options.lifetime ?? 'singleton'
  let resolver = asFunction((cradle: Record<string, unknown>) => factory(restrictCradle(cradle, deps, plugin)), {
    lifetime: LIFETIMES[lifetime],
  })
  if (options.dispose) resolver = resolver.disposer(options.dispose as (value: unknown) => void)
  container.register(key, resolver)
  ownership.owner.set(key, { plugin, lifetime })
}

/** Register a kernel-owned value or factory. */
export function registerKernelValue(container: AwilixContainer, ownership: ServiceOwnership, key: string, value: unknown): void {
  container.register(key, asValue(value))
  ownership.owner.set(key, { plugin: 'kernel', lifetime: 'singleton' })
}
