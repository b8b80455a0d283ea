import { createLifecycleHooks } from './lifecycle.hooks.js'
import { createMessageHooks } from './message.hooks.js'
import { createRequestHooks } from './request.hooks.js'
import { createSessionHooks } from './session.hooks.js'
import { createStreamHooks } from './stream.hooks.js'
import { createToolHooks } from './tool.hooks.js'
import { createSubagentHooks } from './subagent.hooks.js'

export * from './stages.js'
export type { ReadyInfo, LifecycleKernel } from './lifecycle.hooks.js'
export type { MessageHookContext } from './message.hooks.js'
export type { ParsedCall, PermissionDecision, ToolTiming } from './tool.hooks.js'

/** The frozen core hook object: `kernel.hooks.<subsystem>.<hook>`. */
export function createHooks() {
  return Object.freeze({
    lifecycle: Object.freeze(createLifecycleHooks()),
    session: Object.freeze(createSessionHooks()),
    request: Object.freeze(createRequestHooks()),
    stream: Object.freeze(createStreamHooks()),
    message: Object.freeze(createMessageHooks()),
    tool: Object.freeze(createToolHooks()),
    subagent: Object.freeze(createSubagentHooks()),
  })
}
export type KernelHooks = ReturnType<typeof createHooks>

/** Any tapable hook, loosely typed, for kernel-internal iteration. */
export interface AnyHook {
  name: string | undefined
  taps: Array<{ name: string; type: string; stage?: number; fn: Function }>
  intercept(interceptor: Record<string, unknown>): void
  isUsed(): boolean
  call?: (...args: unknown[]) => unknown
  promise(...args: unknown[]): Promise<unknown>
}

/** Notification hooks: errors in their taps are logged, never thrown into the caller. */
const NOTIFICATION_HOOKS = new Set([
  'lifecycle.warmup',
  'lifecycle.ready',
  'lifecycle.failed',
  'session.ended',
  'request.sent',
  'stream.textDelta',
  'stream.thoughtDelta',
  'stream.toolCall',
  'stream.usage',
  'stream.finished',
  'message.persisted',
  'tool.executed',
])

export function isNotificationHook(name: string): boolean {
  return NOTIFICATION_HOOKS.has(name)
}

/** Every hook with its dotted name, in declaration order. */
export function listHooks(hooks: KernelHooks): Array<[string, AnyHook]> {
  const out: Array<[string, AnyHook]> = []
  for (const [group, members] of Object.entries(hooks)) {
    for (const [name, hook] of Object.entries(members as Record<string, AnyHook>)) out.push([`${group}.${name}`, hook])
  }
  return out
}

/** Whether calling a hook can have any effect: a tap, or an interceptor beyond the kernel's own. */
export function isTapped(hook: { taps: unknown[]; interceptors: unknown[] }): boolean {
  return hook.taps.length > 0 || hook.interceptors.length > 1
}
