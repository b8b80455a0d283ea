import type { AwilixContainer } from 'awilix'
import type { CredentialResolver, CredentialStore } from './auth.js'
import type { KernelConfig } from './config.js'
import type { KernelHooks } from './hooks/index.js'
import type { Clock, EventBus, Ids, KeyValue, Locks, Logger, Scheduler, SessionStore } from './ports/types.js'
import type { KernelRegistries } from './registries/index.js'
import type { SessionEngine } from './session/engine.js'

/**
 * Every service in the root container, by key. Plugins add theirs by declaration merging in their
 * own `services.ts`:  declare module '<path>/kernel/index.js' { interface KernelServices { myPlugin: MyService } }
 */
export interface KernelServices {
  config: KernelConfig
  hooks: KernelHooks
  logger: Logger
  registries: KernelRegistries
  clock: Clock
  ids: Ids
  sessionStore: SessionStore
  eventBus: EventBus
  locks: Locks
  kv: KeyValue
  scheduler: Scheduler
  credentialStore: CredentialStore
  /** Resolves the credential a model call uses, from the credentialSources registry. */
  credentials: CredentialResolver
  engine: SessionEngine
  /** Set in a session scope only. */
  session?: never
  container: AwilixContainer
  version: string
}

/** Keys the kernel itself owns; every plugin may depend on them. */
export const KERNEL_SERVICE_KEYS: ReadonlySet<string> = new Set([
  'config',
  'hooks',
  'logger',
  'registries',
  'clock',
  'ids',
  'sessionStore',
  'eventBus',
  'locks',
  'kv',
  'scheduler',
  'credentialStore',
  'credentials',
  'engine',
  'version',
])
