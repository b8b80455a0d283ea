import { asValue, type AwilixContainer } from 'awilix'
import type { KernelHooks } from '../hooks/index.js'
import type { Logger } from '../ports/types.js'
import type { SessionInfo } from '../protocol/index.js'

interface ActiveScope {
  scope: AwilixContainer
  session: SessionInfo
  idle: NodeJS.Timeout | null
}

/** One DI scope per active session: created on its first turn here, disposed when it ends or idles. */
export class SessionScopes {
  readonly #active = new Map<string, ActiveScope>()

  constructor(
    private readonly deps: {
      container: AwilixContainer
      hooks: KernelHooks
      notify: (hook: unknown, ...args: unknown[]) => void | Promise<void>
      idleMs: number
      logger: Logger
    },
  ) {}

  get size(): number {
    return this.#active.size
  }

  get(sessionId: string): AwilixContainer | undefined {
    return this.#active.get(sessionId)?.scope
  }

  async activate(session: SessionInfo): Promise<AwilixContainer> {
    const found = this.#active.get(session.id)
    if (found) {
      if (found.idle) clearTimeout(found.idle)
      found.idle = null
      found.session = session
      return found.scope
    }
    const scope = this.deps.container.createScope()
    scope.register({ session: asValue(session), sessionId: asValue(session.id) })
    this.#active.set(session.id, { scope, session, idle: null })
    await this.deps.hooks.session.start.promise(session, scope)
    return scope
  }

  /** Restart the idle timer after a turn. */
  touch(sessionId: string): void {
    const found = this.#active.get(sessionId)
    if (!found) return
    if (found.idle) clearTimeout(found.idle)
    found.idle = setTimeout(() => void this.end(sessionId, 'idle'), this.deps.idleMs)
    found.idle.unref()
  }

  async end(sessionId: string, reason: string): Promise<void> {
    const found = this.#active.get(sessionId)
    if (!found) return
    this.#active.delete(sessionId)
    if (found.idle) clearTimeout(found.idle)
    await this.deps.notify(this.deps.hooks.session.ended, found.session, reason)
    await found.scope.dispose().catch((error: unknown) => this.deps.logger.error('session scope dispose failed', { sessionId, error: String(error) }))
  }

  async endAll(reason: string): Promise<void> {
    await Promise.all([...this.#active.keys()].map((id) => this.end(id, reason)))
  }
}
