import { AsyncLocalStorage } from 'node:async_hooks'

/** What the kernel knows about the work in progress: whose session a model call or tool runs for. */
export interface CallContext {
  readonly sessionId: string
  /** The session's owner (null: no API user); a user's own credentials win for their sessions. */
  readonly ownerId: string | null
}

const storage = new AsyncLocalStorage<CallContext>()

/**
 * Run `fn` (and everything it starts) as work for this session. Work for a session without an owner
 * runs as it is: outside any context the owner is null anyway, and AsyncLocalStorage's promise hooks
 * cost about a quarter of the server's CPU per turn (measured with bench:api), so single-user servers
 * never switch them on.
 */
export const runInCallContext = <T>(context: CallContext, fn: () => T): T => (context.ownerId === null && !storage.getStore() ? fn() : storage.run(context, fn))

/** The session the current work is for, if any (credential sources use it to pick the owner's credential). */
export const currentCallContext = (): CallContext | undefined => storage.getStore()
