import type { protocol, SessionStore } from '../../../kernel/index.js'
import type { ReplayTarget } from './replay.js'

/**
 * Who owns a session, remembered (owners never change): the global stream's filter asks once per
 * session. Bounded: the oldest entries go first.
 */
export class OwnerCache {
  readonly #owners = new Map<string, string | null>()

  constructor(private readonly store: SessionStore, private readonly max = 50_000) {}

  async ownerOf(sessionId: string): Promise<string | null | undefined> {
    if (this.#owners.has(sessionId)) return this.#owners.get(sessionId)
    const session = await this.store.getSession(sessionId)
    if (!session) return undefined
    if (this.#owners.size >= this.max) this.#owners.delete(this.#owners.keys().next().value!)
    this.#owners.set(sessionId, session.ownerId)
    return session.ownerId
  }
}

/**
 * The global stream as a member sees it: events of other users' sessions are left out (events without
 * a session, such as system metrics and MCP changes, pass). Events keep their order: each waits for the
 * one before it.
 */
export function ownEventsOnly(inner: ReplayTarget, userId: string | null, owners: OwnerCache): ReplayTarget {
  let chain = Promise.resolve()
  const visible = async (event: protocol.EventEnvelope) => {
    const sessionId = event.sessionId ?? (event.type === 'session.created' ? (event.data as { id: string }).id : undefined)
    if (!sessionId) return event.type !== 'session.deleted'
    return (await owners.ownerOf(sessionId).catch(() => undefined)) === userId
  }
  return {
    get closed() {
      return inner.closed
    },
    send(event) {
      chain = chain.then(async () => {
        if (!inner.closed && (await visible(event))) inner.send(event)
      })
    },
    reset(reason, head) {
      chain = chain.then(() => inner.reset(reason, head))
    },
  }
}
