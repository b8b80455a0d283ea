import { join, resolve } from 'node:path'
import { runInCallContext } from '../call-context.js'
import { KernelErrorCode, PlatformError } from '../errors.js'
import type { SessionListFilter } from '../ports/types.js'
import { GLOBAL_STREAM, sessionStream, type CreateSessionBody, type MessageInfo, type PatchSessionBody, type PermissionRule, type PostMessageBody, type SessionDetail, type SessionInfo } from '../protocol/index.js'
import type { DelegateRequest, DelegateResult, SessionDraft } from '../turn.js'
import { compactOnRequest } from './compaction.js'
import { childDraft, depthOf, descendantsFirst, finalAnswer, relayEvents } from './delegation.js'
import type { CompactResult, EngineDeps, SessionRuntime, TurnJob, TurnOutcome } from './engine-types.js'
import { commandsSince, providerViews, toolCallDetail, toolToggles, userMessage, withRules } from './engine-views.js'
import type { EventWriter } from './event-writer.js'
import { FileHistory, type RevertResult } from './file-history.js'
import { forkBefore, lastAnswers, sessionChanges } from './fork.js'
import { orderByTurn } from './history.js'
import { askOpenElsewhere, PermissionAsks } from './permission-asks.js'
import { resolveSessionDraft } from './resolve-session.js'
import { SessionScopes } from './scopes.js'
import { IN_TURN, SessionRuntimes } from './session-runtimes.js'
import { nameSession } from './title.js'
import type { ToolRunDeps } from './tool-runner.js'
import { runTurn, type TurnDeps } from './turn-runner.js'

export type { CompactResult, EngineDeps } from './engine-types.js'

const LOCK_TTL_MS = 30_000

/** The session engine: creates sessions, queues and runs turns, owns session scopes. */
export class SessionEngine {
  readonly #rt: SessionRuntimes
  readonly #scopes: SessionScopes
  readonly #asks: PermissionAsks
  readonly #files: FileHistory
  readonly #tools: ToolRunDeps
  /** Title calls and other work that runs after a turn; awaited (aborted) on close. */
  readonly #background = new Set<Promise<void>>()
  readonly #closed = new AbortController()
  #closing = false

  constructor(private readonly deps: EngineDeps) {
    this.#rt = new SessionRuntimes(deps)
    this.#scopes = new SessionScopes({ container: deps.container, hooks: deps.hooks, notify: deps.notify, idleMs: deps.config.sessionIdleMs, logger: deps.logger })
    this.#asks = new PermissionAsks({ ids: deps.ids, timeoutMs: deps.config.timeouts.askMs, eventBus: deps.eventBus })
    this.#files = new FileHistory({ dir: join(resolve(deps.config.dataDir), 'file-history') })
    const { limits, timeouts } = deps.config
    this.#tools = {
      hooks: deps.hooks, registries: deps.registries, clock: deps.clock, logger: deps.logger, asks: this.#asks, notify: deps.notify,
      limits: { parallelTools: limits.parallelTools, toolOutputChars: limits.toolOutputChars, toolMs: timeouts.toolMs },
      files: this.#files,
      remember: (session, rules) => this.#rememberRules(session, rules),
      delegate: (parent, request) => this.delegate(parent, request),
    }
  }

  /** Append rules to a session's own list (an "always" answer), re-read first so a concurrent PATCH is kept. */
  async #rememberRules(session: SessionInfo, rules: PermissionRule[]): Promise<void> {
    const stored = await this.#rt.require(session.id)
    const permissions = withRules(stored.permissions, rules)
    if (!permissions) return
    await this.deps.sessionStore.updateSession(session.id, { permissions, updatedAt: this.deps.clock.now().toISOString() })
    ;(session as { permissions: PermissionRule[] }).permissions = permissions
    this.#rt.of(session.id).events.emit('session.updated', { id: session.id, changes: { permissions } }, { global: true })
  }

  /**
   * Answer an open permission question of a session (from the API). When the turn that asked runs on
   * another server instance, the answer goes to it as a `permission.answer` event on the session
   * stream, once the stream's recent log shows the question open.
   */
  async replyPermission(sessionId: string, askId: string, reply: 'once' | 'always' | 'reject', message?: string): Promise<void> {
    await this.#rt.require(sessionId)
    if (this.#asks.holds(sessionId, askId)) return this.#asks.reply(sessionId, askId, reply, message)
    if (!(await askOpenElsewhere(this.deps.eventBus, sessionId, askId, this.deps.config.limits.eventRetention))) return this.#asks.reply(sessionId, askId, reply, message)
    await this.deps.eventBus.append(sessionStream(sessionId), { type: 'permission.answer', sessionId, data: { askId, reply, ...(message ? { message } : {}) } })
  }

  /**
   * Undo the files tools wrote or edited in `turnId` and every later turn of the session. Commands run
   * by execute-kind tools (a shell) may have changed files too: they are listed as not covered.
   */
  async revert(sessionId: string, turnId: string): Promise<RevertResult & { notCovered: Array<{ turnId: string; tool: string; subject: string }> }> {
    const { messages } = await this.getSession(sessionId)
    if (!messages.some((m) => m.turnId === turnId)) {
      throw new PlatformError('SESSION_TURN_NOT_FOUND', `Session "${sessionId}" has no turn "${turnId}".`, { httpStatus: 404, details: { sessionId, turnId } })
    }
    if (this.#rt.get(sessionId)?.active) {
      throw new PlatformError('SESSION_BUSY', 'A turn is running; abort it or wait for it to finish before reverting.', { httpStatus: 409 })
    }
    const result = await this.#files.revert(sessionId, turnId)
    return { ...result, notCovered: commandsSince(messages, turnId, this.deps.registries) }
  }

  /** One tool call of a session with its full output (the model may have seen a truncated one). */
  async getToolCall(sessionId: string, callId: string): Promise<Record<string, unknown>> {
    const found = toolCallDetail((await this.getSession(sessionId)).messages, callId)
    if (found) return found
    throw new PlatformError(KernelErrorCode.TOOL_CALL_NOT_FOUND, `Session "${sessionId}" has no tool call "${callId}".`, { httpStatus: 404, details: { sessionId, callId } })
  }

  /** A new session; `ownerId`: the API user creating it (null: none, e.g. the local admin). */
  async createSession(body: CreateSessionBody, options: { ownerId?: string | null } = {}): Promise<SessionInfo> {
    return this.#insertSession({ ...resolveSessionDraft(body, this.deps.config, this.deps.registries), ownerId: options.ownerId ?? null }, 'api')
  }

  /** session.create, store, announce. `wrap` decorates the new session's event writer (a child's relay). */
  async #insertSession(resolved: SessionDraft, requestedBy: string, wrap?: (events: EventWriter) => EventWriter): Promise<SessionInfo> {
    const draft = await this.deps.hooks.session.create.promise(resolved, { requestedBy })
    const now = this.deps.clock.now().toISOString()
    const session: SessionInfo = { id: this.deps.ids.next('ses'), ...draft, status: 'idle', seq: 0, createdAt: now, updatedAt: now }
    await this.deps.sessionStore.createSession(session)
    const runtime = this.#rt.of(session.id)
    if (wrap) runtime.events = wrap(runtime.events)
    runtime.seeded = true
    runtime.events.emit('session.created', session, { global: true })
    return session
  }

  /**
   * Run another agent as a child session of `parent.sessionId` (ToolContext.delegate): subagent.spawn
   * narrows the request, the child gets its own session (same workspace, parent_id set), its events are
   * relayed on the parent's stream, and the call resolves with its final answer. Aborting
   * `parent.signal` aborts the child (and so its own children).
   */
  async delegate(parent: { sessionId: string; turnId: string; callId: string; signal: AbortSignal }, request: DelegateRequest): Promise<DelegateResult> {
    const parentSession = await this.#rt.require(parent.sessionId)
    this.#refuseWhenClosing()
    const depth = (await depthOf(parentSession, (id) => this.deps.sessionStore.getSession(id))) + 1
    const spec = await this.deps.hooks.subagent.spawn.promise({ ...request }, { parent: parentSession, turnId: parent.turnId, callId: parent.callId, depth })
    const draft = childDraft(parentSession, spec, this.deps.config, this.deps.registries)
    const relayTo = this.#rt.of(parentSession.id).events
    const child = await this.#insertSession(draft, 'subagent', (events) => relayEvents(events, relayTo, { parentSessionId: parentSession.id, callId: parent.callId, agent: draft.agent, depth }))
    const runtime = this.#rt.of(child.id)
    const { turnId } = await this.#postUserMessage(child, runtime, { text: spec.prompt })
    const maxSteps = spec.maxSteps ? Math.min(spec.maxSteps, this.deps.config.limits.maxSteps) : undefined
    const outcome = await this.#enqueue(runtime, child.id, turnId, { kind: 'answer', signal: parent.signal, ...(maxSteps ? { maxSteps } : {}) })
    const messages = (await this.deps.sessionStore.listMessages(child.id)).filter((m) => m.turnId === turnId)
    return { sessionId: child.id, finish: outcome.finish, answer: finalAnswer(messages), ...(outcome.error ? { error: outcome.error } : {}) }
  }

  /** Switch agent, model or tools from the next turn on (a running turn keeps what it started with), or rename. */
  async patchSession(id: string, body: PatchSessionBody): Promise<SessionInfo> {
    const session = await this.#rt.require(id)
    const changes = sessionChanges(session, body, this.deps.config, this.deps.registries)
    const updated = { ...session, ...changes, updatedAt: this.deps.clock.now().toISOString() }
    await this.deps.sessionStore.updateSession(id, { ...changes, updatedAt: updated.updatedAt })
    const runtime = await this.#rt.seeded(session)
    runtime.events.emit('session.updated', { id, changes }, { global: true })
    return updated
  }

  async getSession(id: string): Promise<SessionDetail> {
    const session = await this.#rt.require(id)
    return { ...session, messages: orderByTurn(await this.deps.sessionStore.listMessages(id)) }
  }

  /**
   * Delete a session with the sessions it delegated to (children first), their messages and undo
   * snapshots. Refused (409) while a turn of any of them runs or waits. Usage records stay.
   */
  async deleteSession(id: string): Promise<{ deleted: string[] }> {
    await this.#rt.require(id)
    const tree = await descendantsFirst(this.deps.sessionStore, id)
    const busy = tree.find((sessionId) => this.#rt.busy(sessionId))
    if (busy) throw new PlatformError(KernelErrorCode.SESSION_BUSY, `Session "${busy}" is running a turn; abort it (POST /api/sessions/${busy}/abort) before deleting.`, { httpStatus: 409, details: { busy } })
    for (const sessionId of tree) {
      await this.deps.sessionStore.deleteSession(sessionId)
      await this.#files.forget(sessionId)
      this.#rt.forget(sessionId)
    }
    await this.deps.eventBus.append(GLOBAL_STREAM, { type: 'session.deleted', data: { ids: tree } })
    return { deleted: tree }
  }

  /** Every registered tool and whether the session's tool set covers it. */
  async sessionTools(id: string): Promise<Array<{ name: string; kind: string; description: string; enabled: boolean }>> {
    return toolToggles(await this.#rt.require(id), this.deps.registries)
  }

  /** Enabled providers with the models each knows (no network). */
  providers(): Array<{ id: string; displayName: string; acceptsUnknownModels: boolean; models: Array<{ id: string; displayName?: string; contextWindow?: number }> }> {
    return providerViews(this.deps.registries)
  }

  /** The session without its messages; 404 when unknown. */
  getSessionInfo(id: string): Promise<SessionInfo> {
    return this.#rt.require(id)
  }

  listSessions(filter: SessionListFilter = {}): Promise<SessionInfo[]> {
    return this.deps.sessionStore.listSessions(filter)
  }

  /** Store the user's message and queue a turn (it takes its lock while the message is stored); resolves once the message is announced. */
  async prompt(sessionId: string, body: PostMessageBody): Promise<{ turnId: string; messageId: string }> {
    const session = await this.#rt.require(sessionId)
    this.#refuseWhenClosing()
    const runtime = await this.#rt.seeded(session)
    const turnId = this.deps.ids.next('trn')
    const sent = this.#postUserMessage(session, runtime, body, turnId)
    void this.#enqueue(runtime, sessionId, turnId, { kind: 'answer', stored: sent })
    return sent
  }

  /** Store and announce a user message under a new turn id (or the one given). */
  async #postUserMessage(session: SessionInfo, runtime: SessionRuntime, body: PostMessageBody, turnId = this.deps.ids.next('trn')): Promise<{ turnId: string; messageId: string }> {
    const message = userMessage(session, turnId, body, this.deps.ids, this.deps.clock.now().toISOString())
    await this.#rt.persist(message, turnId)
    const { events } = runtime
    events.emit('message.created', { id: message.id, turnId, role: 'user', agent: session.agent, provider: session.provider, model: session.model })
    for (const part of message.parts) {
      events.emit('part.started', { messageId: message.id, part: { id: part.id, kind: part.kind, ordinal: part.ordinal, ...part.data } })
      events.emit('part.completed', { messageId: message.id, part })
    }
    events.emit('message.completed', { id: message.id, finish: 'stop' })
    return { turnId, messageId: message.id }
  }

  /**
   * Answer the last user message again: the answers it had are marked superseded (kept in history,
   * no longer sent to the model) and the turn runs once more under the same turn id.
   */
  async regenerate(sessionId: string): Promise<{ turnId: string; superseded: string[] }> {
    const session = await this.#rt.require(sessionId)
    this.#refuseWhenClosing()
    const runtime = await this.#rt.seeded(session)
    if (this.#rt.busy(sessionId)) {
      throw new PlatformError(KernelErrorCode.SESSION_BUSY, 'A turn is running or queued; abort it or wait for it to finish before regenerating.', { httpStatus: 409 })
    }
    const { last, answers } = lastAnswers(await this.#liveMessages(sessionId))
    const at = this.deps.clock.now().toISOString()
    for (const answer of answers) await this.#rt.persist({ ...answer, supersededAt: at }, last.turnId)
    if (answers.length > 0) runtime.events.emit('message.superseded', { turnId: last.turnId, messageIds: answers.map((m) => m.id), at })
    void this.#enqueue(runtime, sessionId, last.turnId, { kind: 'answer' })
    return { turnId: last.turnId, superseded: answers.map((m) => m.id) }
  }

  /**
   * Edit a past user message and send it again: the conversation forks at that point into a new
   * session (same agent, model, tools, workspace and rules) holding copies of the messages before it;
   * the edited message is sent there. The original session is left as it was.
   */
  async editMessage(sessionId: string, messageId: string, body: PostMessageBody): Promise<{ session: SessionInfo; turnId: string; messageId: string }> {
    const source = await this.#rt.require(sessionId)
    this.#refuseWhenClosing()
    const { fork, copies } = forkBefore(source, await this.#liveMessages(sessionId), messageId, this.deps.ids, this.deps.clock.now().toISOString())
    await this.deps.sessionStore.createSession(fork)
    for (const copy of copies) await this.deps.sessionStore.saveMessage(copy)
    const runtime = this.#rt.of(fork.id)
    runtime.seeded = true
    runtime.events.emit('session.created', fork, { global: true })
    const sent = await this.prompt(fork.id, body)
    return { session: fork, ...sent }
  }

  /** The session's messages in turn order, superseded answers left out. */
  async #liveMessages(sessionId: string): Promise<MessageInfo[]> {
    return orderByTurn(await this.deps.sessionStore.listMessages(sessionId)).filter((m) => !m.supersededAt)
  }

  /** Compact the conversation now (queued like a turn); resolves once the summary is stored. */
  async compactNow(sessionId: string): Promise<CompactResult> {
    const session = await this.#rt.require(sessionId)
    this.#refuseWhenClosing()
    const runtime = await this.#rt.seeded(session)
    const turnId = this.deps.ids.next('trn')
    const result = await new Promise<CompactResult | Error>((done) => void this.#enqueue(runtime, sessionId, turnId, { kind: 'compact', done }))
    if (result instanceof Error) throw result
    return result
  }

  #refuseWhenClosing(): void {
    if (this.#closing) throw new PlatformError('SESSION_SERVER_CLOSING', 'The server is shutting down; try again once it is back.', { httpStatus: 503, retryable: true })
  }

  /** Queue a turn behind the session's earlier ones; resolves with how it ended. */
  #enqueue(runtime: SessionRuntime, sessionId: string, turnId: string, job: TurnJob): Promise<TurnOutcome> {
    runtime.queued += 1
    const outcome = runtime.tail.then(() => this.#runTurn(sessionId, turnId, job)).catch((error): TurnOutcome => {
      this.deps.logger.error('turn crashed', { sessionId, turnId, error: String(error) })
      if (job.kind === 'compact') job.done(error as Error)
      return { finish: 'error', error: { code: KernelErrorCode.PROVIDER_STREAM_FAILED, message: `The turn failed: ${(error as Error).message}` } }
    })
    runtime.tail = outcome.then(() => undefined)
    return outcome
  }

  /** Abort the running turn of a session; false when none runs here. */
  abort(sessionId: string): boolean {
    const active = this.#rt.get(sessionId)?.active
    if (!active) return false
    active.abort(new PlatformError(KernelErrorCode.TURN_ABORTED, 'The turn was aborted.'))
    return true
  }

  activeTurns(): number {
    let count = 0
    for (const runtime of this.#rt.all()) if (runtime.active) count += 1
    return count
  }

  /** Stop taking turns, abort running ones, wait for them to persist, end every session scope. */
  async close(): Promise<void> {
    this.#closing = true
    for (const runtime of this.#rt.all()) runtime.active?.abort(new PlatformError(KernelErrorCode.TURN_ABORTED, 'The server is shutting down.'))
    this.#closed.abort(new PlatformError(KernelErrorCode.TURN_ABORTED, 'The server is shutting down.'))
    await Promise.all([...this.#rt.all()].map((r) => r.tail))
    await Promise.all(this.#background)
    await Promise.all([...this.#rt.all()].map((r) => r.events.flush()))
    await this.#scopes.endAll('shutdown')
  }

  async #runTurn(sessionId: string, turnId: string, job: TurnJob): Promise<TurnOutcome> {
    const runtime = this.#rt.of(sessionId)
    runtime.queued -= 1
    const refuse = (error: PlatformError): TurnOutcome => {
      if (job.kind === 'compact') job.done(error)
      return { finish: 'error', error: { code: error.code, message: error.message } }
    }
    if (job.kind === 'answer' && job.signal?.aborted) return { finish: 'aborted' }
    if (this.#closing) return refuse(new PlatformError('SESSION_SERVER_CLOSING', 'The server is shutting down.', { httpStatus: 503, retryable: true }))
    const lock = await this.deps.locks.tryAcquire(`lock:session:${sessionId}`, LOCK_TTL_MS)
    const { events } = runtime
    if (!lock) {
      const message = 'Another server instance is running a turn of this session; try again shortly.'
      events.emit('error', { code: 'SESSION_LOCKED', message, turnId, retryable: true })
      return refuse(new PlatformError('SESSION_LOCKED', message, { httpStatus: 409, retryable: true }))
    }
    const renew = setInterval(() => void lock.refresh(LOCK_TTL_MS), LOCK_TTL_MS / 3)
    const controller = new AbortController()
    runtime.active = controller
    // A delegated turn ends with the call that started it.
    const onOuterAbort = () => controller.abort(new PlatformError(KernelErrorCode.TURN_ABORTED, 'The delegating call was aborted.'))
    if (job.kind === 'answer') job.signal?.addEventListener('abort', onOuterAbort, { once: true })
    try {
      const stored = job.kind === 'answer' && job.stored ? job.stored.then(() => true, () => false) : true
      // Storing `busy` reads the session back in the same statement, as it is now under the lock.
      const session = await this.#rt.markBusy(sessionId)
      // The user message was not stored (its POST failed, saying why): there is nothing to answer.
      if (!(await stored)) {
        await this.#rt.setStatus(session, runtime.queued > 0 ? 'busy' : 'idle', events)
        return { finish: 'error', error: { code: 'SESSION_MESSAGE_NOT_STORED', message: 'The message was not stored, so the turn did not run.' } }
      }
      // Another writer (another server instance) moved the session on since this one last did: reload.
      if (session.seq !== runtime.historySeq) runtime.history = null
      await this.#scopes.activate(session)
      events.emit('session.status', { sessionId: session.id, status: 'busy' }, { global: true })
      events.emit('turn.started', { turnId })
      const deps: TurnDeps = { ...this.deps, clientFor: (id) => this.#rt.client(id), persist: (m, t, o) => this.#rt.persist(m, t, o ?? IN_TURN), persistBehind: (m, t) => this.#rt.persistBehind(m, t, IN_TURN), history: () => this.#rt.history(session), tools: this.#tools }
      // Everything the turn starts runs as work for this session (credential sources pick its owner's keys).
      const context = { sessionId: session.id, ownerId: session.ownerId }
      const run = runInCallContext(context, () =>
        job.kind === 'answer' ? runTurn(deps, { session, turnId, signal: controller.signal, events, maxSteps: job.maxSteps }) : this.#compactJob(deps, session, turnId, controller.signal, events, job),
      )
      const result = await run.catch((error: unknown) => {
        const failure = { code: (error as PlatformError).code ?? KernelErrorCode.PROVIDER_STREAM_FAILED, message: (error as Error).message }
        events.emit('error', { ...failure, turnId })
        return { finish: 'error' as const, error: failure }
      })
      events.emit('turn.completed', { turnId, finish: result.finish, ...(result.error ? { error: result.error } : {}) })
      await this.#rt.setStatus(session, runtime.queued > 0 ? 'busy' : 'idle', events)
      if (job.kind === 'answer' && result.finish !== 'error' && result.finish !== 'aborted') runInCallContext(context, () => this.#titleLater(deps, session, turnId, events))
      return result
    } finally {
      if (job.kind === 'answer') job.signal?.removeEventListener('abort', onOuterAbort)
      clearInterval(renew)
      runtime.active = null
      await lock.release()
      this.#scopes.touch(sessionId)
    }
  }

  /** A manual compaction as a queued turn; its caller hears the outcome through `job.done`. */
  async #compactJob(deps: TurnDeps, session: SessionInfo, turnId: string, signal: AbortSignal, events: EventWriter, job: Extract<TurnJob, { kind: 'compact' }>) {
    try {
      job.done(await compactOnRequest(deps, { session, turnId, signal, events }))
      return { finish: 'stop' as const }
    } catch (error) {
      const failure = error instanceof PlatformError ? error : new PlatformError(KernelErrorCode.COMPACTION_FAILED, `Compacting the conversation failed: ${(error as Error).message}`, { httpStatus: 502 })
      job.done(failure)
      return { finish: 'error' as const, error: { code: failure.code, message: failure.message } }
    }
  }

  /** After a session's first answered turn, name it with a short model call (a `title` activity), in the background. */
  #titleLater(deps: TurnDeps, session: SessionInfo, turnId: string, events: EventWriter): void {
    if (!this.deps.config.autoTitle || session.title !== null || session.parentId !== null) return
    const work = nameSession(deps, { session, turnId, events, signal: this.#closed.signal }).catch((error: unknown) => {
      if (!this.#closed.signal.aborted) this.deps.logger.warn('naming the session failed', { sessionId: session.id, error: (error as Error).message })
    })
    this.#background.add(work)
    void work.finally(() => this.#background.delete(work))
  }

  /** Make sure the session's event stream continues from the sequence stored with the session. */
  async openStream(sessionId: string): Promise<SessionInfo> {
    const session = await this.#rt.require(sessionId)
    await this.#rt.seeded(session)
    return session
  }
}
