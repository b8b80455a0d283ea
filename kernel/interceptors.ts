import { KernelErrorCode, PlatformError } from './errors.js'
import { isNotificationHook, listHooks, type AnyHook, type KernelHooks } from './hooks/index.js'
import type { Logger } from './ports/types.js'

export interface InterceptorOptions {
  /** Names allowed to tap: loaded plugin ids plus `kernel`. */
  allowedNames: () => ReadonlySet<string>
  /** Position of a plugin in dependency order (for reverse-order shutdown). */
  orderOf: (name: string) => number
  timeoutFor: (hookName: string) => number
  logger: Logger
  /** Called after every promise tap with its duration (boot timings for describe()). */
  onTiming?: (hookName: string, plugin: string, ms: number, error?: unknown) => void
}

/** Run `promise` under a timeout whose error names the plugin and the hook. */
export function withTimeout<T>(promise: Promise<T>, ms: number, plugin: string, hook: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new PlatformError(KernelErrorCode.HOOK_TIMEOUT, `Plugin ${plugin} did not finish ${hook} within ${ms} ms.`, {
            details: { plugin, hook, timeoutMs: ms },
          }),
        ),
      ms,
    )
    timer.unref?.()
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * Installs the kernel's register interceptor on every hook: only loaded plugins may tap, tapAsync is
 * refused, every promise tap runs under a timeout, notification taps are wrapped in an error guard,
 * and lifecycle.shutdown taps get stages that run them in reverse dependency order.
 */
export function installInterceptors(hooks: KernelHooks, options: InterceptorOptions): void {
  for (const [hookName, hook] of listHooks(hooks)) {
    const notification = isNotificationHook(hookName)
    hook.intercept({
      name: 'kernel',
      register(tap: { name: string; type: string; stage?: number; fn: Function }) {
        if (tap.type === 'async') {
          throw new PlatformError(KernelErrorCode.HOOK_TAP_ASYNC, `${tap.name} used tapAsync on ${hookName}; use tap or tapPromise.`, {
            details: { plugin: tap.name, hook: hookName },
          })
        }
        if (!options.allowedNames().has(tap.name)) {
          throw new PlatformError(
            KernelErrorCode.HOOK_TAP_NAME,
            `A tap on ${hookName} is named "${tap.name}", which is not a loaded plugin; tap through ctx.hooks so the name is your plugin id.`,
            { details: { plugin: tap.name, hook: hookName } },
          )
        }
        const stage = hookName === 'lifecycle.shutdown' && !tap.stage ? -options.orderOf(tap.name) : tap.stage
        return { ...tap, stage, fn: wrapFn(tap, hookName, notification, options) }
      },
    })
  }
}

function wrapFn(
  tap: { name: string; type: string; fn: Function },
  hookName: string,
  notification: boolean,
  options: InterceptorOptions,
): Function {
  const original = tap.fn
  const plugin = tap.name
  const log = (error: unknown) =>
    options.logger.error(`${plugin} failed in ${hookName}`, { plugin, hook: hookName, error: describeError(error) })
  if (tap.type === 'promise') {
    return (...args: unknown[]) => {
      const started = performance.now()
      const run = withTimeout(Promise.resolve().then(() => original(...args)), options.timeoutFor(hookName), plugin, hookName)
      if (options.onTiming) {
        run.then(
          () => options.onTiming?.(hookName, plugin, performance.now() - started),
          (error) => options.onTiming?.(hookName, plugin, performance.now() - started, error),
        )
      }
      if (!notification) return run
      return run.then(
        () => undefined,
        (error) => log(error),
      )
    }
  }
  if (!notification) return original
  return (...args: unknown[]) => {
    try {
      return original(...args)
    } catch (error) {
      log(error)
      return undefined
    }
  }
}

/** Call a notification hook: never throws into the caller. */
export async function notifyHook(hook: AnyHook, hookName: string, args: unknown[], logger: Logger): Promise<void> {
  try {
    if (hook.call) hook.call(...args)
    else await hook.promise(...args)
  } catch (error) {
    logger.error(`notification ${hookName} failed`, { hook: hookName, error: describeError(error) })
  }
}

type StageOptions = { stage?: number }
type Args<H> = H extends { promise(...args: infer A): Promise<unknown> } ? A : never
type Result<H> = H extends { promise(...args: never[]): Promise<infer R> } ? R : never

/** What a plugin sees of one hook: tap / tapPromise with a stage; the name is filled in. */
export type HookTap<H> = H extends { tapPromise: Function }
  ? {
      tap(options: StageOptions, fn: (...args: Args<H>) => Result<H>): void
      tapPromise(options: StageOptions, fn: (...args: Args<H>) => Promise<Result<H>>): void
    }
  : { tap(options: StageOptions, fn: (...args: Args<H>) => Result<H>): void }

export type HooksFacade = { readonly [G in keyof KernelHooks]: { readonly [K in keyof KernelHooks[G]]: HookTap<KernelHooks[G][K]> } }

/** The tap-only view of the hooks handed to a plugin as `ctx.hooks`. */
export function createHooksFacade(hooks: KernelHooks, pluginName: string): HooksFacade {
  const facade: Record<string, Record<string, unknown>> = {}
  for (const [group, members] of Object.entries(hooks)) {
    facade[group] = {}
    for (const [name, hook] of Object.entries(members as unknown as Record<string, AnyHook & Record<string, Function>>)) {
      const entry: Record<string, Function> = {
        tap: (options: StageOptions, fn: Function) => hook.tap({ ...options, name: pluginName }, fn),
      }
      if (typeof hook.tapPromise === 'function') {
        entry.tapPromise = (options: StageOptions, fn: Function) => hook.tapPromise({ ...options, name: pluginName }, fn)
      }
      facade[group][name] = Object.freeze(entry)
    }
    Object.freeze(facade[group])
  }
  return Object.freeze(facade) as unknown as HooksFacade
}
