import { join, resolve } from 'node:path'
import type { AwilixContainer } from 'awilix'
import type { KernelConfig } from '../config.js'
import { KernelErrorCode, PlatformError } from '../errors.js'
import type { KernelHooks } from '../hooks/index.js'
import type { Clock, EventBus, Ids, Locks, Logger, SessionListFilter, SessionStore } from '../ports/types.js'
import type { ProviderClient } from '../provider.js'
import { GLOBAL_STREAM, sessionStream, type FinishReason, type PermissionRule, type PatchSessionBody, type CreateSessionBody, type MessageInfo, type PostMessageBody, type SessionDetail, type SessionInfo, type SessionStatus } from '../protocol/index.js'
import type { KernelRegistries } from '../registries/index.js'
import { createEventWriter, type EventWriter } from './event-writer.js'
import { compact } from './compaction.js'
import { compactionOf, estimateTokens, orderByTurn, toChatMessages } from './history.js'
import { copyMessages } from './fork.js'
import { sideCall } from './side-call.js'
import { cleanTitle, TITLE_PROMPT } from './title.js'
import { depthOf, finalAnswer, relayEvents } from './delegation.js'
import { runInCallContext } from '../call-context.js'
import { expandToolSet, isToolPattern, toolSetCovers } from './tool-set.js'
import type { DelegateRequest, DelegateResult, SessionDraft } from '../turn.js'
import { resolveSessionDraft } from './resolve-session.js'
import { FileHistory, type RevertResult } from './file-history.js'
import { PermissionAsks } from './permission-asks.js'
import { SessionScopes } from './scopes.js'
import type { ToolRunDeps } from './tool-runner.js'
import { runTurn, type TurnDeps } from './turn-runner.js'

export interface EngineDeps {
  config: KernelConfig
  hooks: KernelHooks
  registries: KernelRegistries
  sessionStore: SessionStore
  eventBus: EventBus
  locks: Locks
  clock: Clock
  ids: Ids
  logger: Logger
  container: AwilixContainer
  notify: (hook: unknown, ...args: unknown[]) => Promise<void>
}

/** What a queued turn does: answer the user's message, or compact the conversation (manual). */
type TurnJob =
  | { kind: 'answer'; signal?: AbortSignal; maxSteps?: number }
  | { kind: 'compact'; done: (result: CompactResult | Error) => void }

/** How a queued turn ended (also when it never started). */
type TurnOutcome = { finish: FinishReason; error?: { code: string; message: string } }

export interface CompactResult {
  turnId: string
  compacted: boolean
  messageId?: string
}

interface SessionRuntime {
  tail: Promise<void>
  queued: number
  active: AbortController | null
  events: EventWriter
  seeded: boolean
  /** Cached history (the DB is the truth); `historySeq` is the seq this instance last stored. */
  history: MessageInfo[] | null
  historySeq: number
}

const LOCK_TTL_MS = 30_000

/** The session engine: creates sessions, queues and runs turns, owns session scopes. */
export class SessionEngine {
  readonly #runtimes = new Map<string, SessionRuntime>()
  readonly #clients = new Map<string, ProviderClient>()
  readonly #scopes: SessionScopes
  readonly #asks: PermissionAsks
  readonly #files: FileHistory
  readonly #tools: ToolRunDeps
  /** Title calls and other work that runs after a turn; awaited (aborted) on close. */
  readonly #background = new Set<Promise<void>>()
  readonly #closed = new AbortController()
  #closing = false

  constructor(private readonly deps: EngineDeps) {
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
    const stored = await this.#requireSession(session.id)
    const key = (r: PermissionRule) => `${r.tool}\u0000${r.match ?? ''}\u0000${r.action}`
    const known = new Set(stored.permissions.map(key))
    const added = rules.filter((r) => !known.has(key(r)))
    if (added.length === 0) return
    const permissions = [...stored.permissions, ...added]
    await this.deps.sessionStore.updateSession(session.id, { permissions, updatedAt: this.deps.clock.now().toISOString() })
    ;(session as { permissions: PermissionRule[] }).permissions = permissions
    this.#runtime(session.id).events.emit('session.updated', { id: session.id, changes: { permissions } }, { global: true })
  }

  /**
   * Answer an open permission question of a session (from the API). When the turn that asked runs on
   * another server instance, the answer goes to it as a `permission.answer` event on the session
   * stream, once the stream's recent log shows the question open.
   */
  async replyPermission(sessionId: string, askId: string, reply: 'once' | 'always' | 'reject', message?: string): Promise<void> {
    await this.#requireSession(sessionId)
    if (this.#asks.holds(sessionId, askId)) return this.#asks.reply(sessionId, askId, reply, message)
    if (!(await this.#openElsewhere(sessionId, askId))) return this.#asks.reply(sessionId, askId, reply, message)
    await this.deps.eventBus.append(sessionStream(sessionId), { type: 'permission.answer', sessionId, data: { askId, reply, ...(message ? { message } : {}) } })
  }

  /** Whether the session stream's recent events hold `permission.asked` for askId and no reply yet. */
  async #openElsewhere(sessionId: string, askId: string): Promise<boolean> {
    const stream = sessionStream(sessionId)
    const head = await this.deps.eventBus.head(stream)
    const window = Math.min(2_000, this.deps.config.limits.eventRetention - 1)
    const recent = await this.deps.eventBus.readSince(stream, Math.max(0, head - window))
    if (!recent.ok) return false
    let open = false
    for (const event of recent.events) {
      const id = (event.data as { askId?: string }).askId
      if (id !== askId) continue
      if (event.type === 'permission.asked') open = true
      else if (event.type === 'permission.replied' || event.type === 'permission.answer') open = false
    }
    return open
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
    if (this.#runtimes.get(sessionId)?.active) {
      throw new PlatformError('SESSION_BUSY', 'A turn is running; abort it or wait for it to finish before reverting.', { httpStatus: 409 })
    }
    const result = await this.#files.revert(sessionId, turnId)
    const notCovered = messages
      .filter((m) => m.turnId >= turnId)
      .flatMap((m) => m.parts.filter((p) => p.kind === 'tool' && this.deps.registries.tools.get(String(p.data.tool))?.kind === 'execute').map((p) => ({ turnId: m.turnId, tool: String(p.data.tool), subject: JSON.stringify(p.data.input) })))
    return { ...result, notCovered }
  }

  /** One tool call of a session with its full output (the model may have seen a truncated one). */
  async getToolCall(sessionId: string, callId: string): Promise<Record<string, unknown>> {
    const { messages } = await this.getSession(sessionId)
    for (const message of messages) {
      for (const part of message.parts) {
        if (part.kind !== 'tool' || part.data.callId !== callId) continue
        const { fullOutput, ...rest } = part.data
        return { ...rest, output: fullOutput ?? part.data.output, truncated: fullOutput !== undefined, messageId: message.id, partId: part.id }
      }
    }
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
    const runtime = this.#runtime(session.id)
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
    const parentSession = await this.#requireSession(parent.sessionId)
    this.#refuseWhenClosing()
    const depth = (await depthOf(parentSession, (id) => this.deps.sessionStore.getSession(id))) + 1
    const spec = await this.deps.hooks.subagent.spawn.promise({ ...request }, { parent: parentSession, turnId: parent.turnId, callId: parent.callId, depth })
    const resolved = resolveSessionDraft({ agent: spec.agent, provider: spec.provider, model: spec.model, workspace: parentSession.workspace }, this.deps.config, this.deps.registries, { keepWorkspace: true })
    const narrowed = spec.tools ? expandToolSet(resolved.tools, this.deps.registries).map((t) => t.name).filter((t) => spec.tools!.includes(t)) : resolved.tools
    const draft: SessionDraft = { ...resolved, tools: narrowed, title: spec.title?.slice(0, 200) ?? null, parentId: parentSession.id, ownerId: parentSession.ownerId }
    const relayTo = this.#runtime(parentSession.id).events
    const child = await this.#insertSession(draft, 'subagent', (events) => relayEvents(events, relayTo, { parentSessionId: parentSession.id, callId: parent.callId, agent: draft.agent, depth }))
    const runtime = this.#runtime(child.id)
    const { turnId } = await this.#postUserMessage(child, runtime, { text: spec.prompt })
    const maxSteps = spec.maxSteps ? Math.min(spec.maxSteps, this.deps.config.limits.maxSteps) : undefined
    const outcome = await this.#enqueue(runtime, child.id, turnId, { kind: 'answer', signal: parent.signal, ...(maxSteps ? { maxSteps } : {}) })
    const messages = (await this.deps.sessionStore.listMessages(child.id)).filter((m) => m.turnId === turnId)
    return { sessionId: child.id, finish: outcome.finish, answer: finalAnswer(messages), ...(outcome.error ? { error: outcome.error } : {}) }
  }

  /** Switch agent, model or tools from the next turn on (a running turn keeps what it started with), or rename. */
  async patchSession(id: string, body: PatchSessionBody): Promise<SessionInfo> {
    const session = await this.#requireSession(id)
    const switching = body.agent !== undefined || body.provider !== undefined || body.model !== undefined
    const changes: Partial<SessionInfo> = {}
    if (switching) {
      const draft = resolveSessionDraft(
        {
          agent: body.agent ?? session.agent,
          provider: body.provider ?? (body.agent || body.model?.includes('/') ? undefined : session.provider),
          model: body.model ?? (body.agent || body.provider ? undefined : session.model),
          workspace: session.workspace,
        },
        this.deps.config,
        this.deps.registries,
        { keepWorkspace: true },
      )
      Object.assign(changes, { agent: draft.agent, provider: draft.provider, model: draft.model })
      if (body.agent !== undefined && body.tools === undefined) changes.tools = draft.tools
    }
    if (body.tools !== undefined) {
      const unknown = body.tools.filter((name) => !isToolPattern(name) && !this.deps.registries.tools.has(name))
      if (unknown.length > 0) {
        throw new PlatformError('SESSION_TOOL_UNKNOWN', `Unknown tool${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. Registered tools: ${this.deps.registries.tools.ids().join(', ') || 'none'}.`, { httpStatus: 400, details: { unknown } })
      }
      changes.tools = [...new Set(body.tools)]
    }
    if (body.title !== undefined) changes.title = body.title
    if (body.permissions !== undefined) changes.permissions = body.permissions
    const updated = { ...session, ...changes, updatedAt: this.deps.clock.now().toISOString() }
    await this.deps.sessionStore.updateSession(id, { ...changes, updatedAt: updated.updatedAt })
    const runtime = await this.#seededRuntime(session)
    runtime.events.emit('session.updated', { id, changes }, { global: true })
    return updated
  }

  async getSession(id: string): Promise<SessionDetail> {
    const session = await this.#requireSession(id)
    return { ...session, messages: orderByTurn(await this.deps.sessionStore.listMessages(id)) }
  }

  /**
   * Delete a session with the sessions it delegated to (children first), their messages and undo
   * snapshots. Refused (409) while a turn of any of them runs or waits. Usage records stay.
   */
  async deleteSession(id: string): Promise<{ deleted: string[] }> {
    await this.#requireSession(id)
    const tree: string[] = []
    const walk = async (sessionId: string): Promise<void> => {
      for (const child of await this.deps.sessionStore.listSessions({ parentId: sessionId, limit: 10_000 })) await walk(child.id)
      tree.push(sessionId)
    }
    await walk(id)
    const busy = tree.find((sessionId) => {
      const runtime = this.#runtimes.get(sessionId)
      return runtime && (runtime.active || runtime.queued > 0)
    })
    if (busy) throw new PlatformError(KernelErrorCode.SESSION_BUSY, `Session "${busy}" is running a turn; abort it (POST /api/sessions/${busy}/abort) before deleting.`, { httpStatus: 409, details: { busy } })
    for (const sessionId of tree) {
      await this.deps.sessionStore.deleteSession(sessionId)
      await this.#files.forget(sessionId)
      this.#runtimes.delete(sessionId)
    }
    await this.deps.eventBus.append(GLOBAL_STREAM, { type: 'session.deleted', data: { ids: tree } })
    return { deleted: tree }
  }

  /** Every registered tool and whether the session's tool set covers it. */
  async sessionTools(id: string): Promise<Array<{ name: string; kind: string; description: string; enabled: boolean }>> {
    const session = await this.#requireSession(id)
    return this.deps.registries.tools.list().map((tool) => ({ name: tool.name, kind: tool.kind, description: tool.description, enabled: toolSetCovers(session.tools, tool.name) }))
  }

  /** Enabled providers with the models each knows (no network). */
  providers(): Array<{ id: string; displayName: string; acceptsUnknownModels: boolean; models: Array<{ id: string; displayName?: string; contextWindow?: number }> }> {
    return this.deps.registries.providers.list().map((p) => ({
      id: p.id, displayName: p.displayName, acceptsUnknownModels: p.acceptsUnknownModels ?? false,
      models: p.listModels().map((m) => ({ id: m.id, ...(m.displayName ? { displayName: m.displayName } : {}), ...(m.contextWindow ? { contextWindow: m.contextWindow } : {}) })),
    }))
  }

  /** The session without its messages; 404 when unknown. */
  getSessionInfo(id: string): Promise<SessionInfo> {
    return this.#requireSession(id)
  }

  listSessions(filter: SessionListFilter = {}): Promise<SessionInfo[]> {
    return this.deps.sessionStore.listSessions(filter)
  }

  /** Store the user's message and queue a turn; resolves once the message is announced. */
  async prompt(sessionId: string, body: PostMessageBody): Promise<{ turnId: string; messageId: string }> {
    const session = await this.#requireSession(sessionId)
    this.#refuseWhenClosing()
    const runtime = await this.#seededRuntime(session)
    const sent = await this.#postUserMessage(session, runtime, body)
    void this.#enqueue(runtime, sessionId, sent.turnId, { kind: 'answer' })
    return sent
  }

  /** Store and announce a user message under a new turn id. */
  async #postUserMessage(session: SessionInfo, runtime: SessionRuntime, body: PostMessageBody): Promise<{ turnId: string; messageId: string }> {
    const turnId = this.deps.ids.next('trn')
    const message = this.#userMessage(session, turnId, body)
    await this.#persist(message, turnId)
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
    const session = await this.#requireSession(sessionId)
    this.#refuseWhenClosing()
    const runtime = await this.#seededRuntime(session)
    if (runtime.active || runtime.queued > 0) {
      throw new PlatformError(KernelErrorCode.SESSION_BUSY, 'A turn is running or queued; abort it or wait for it to finish before regenerating.', { httpStatus: 409 })
    }
    const messages = orderByTurn(await this.deps.sessionStore.listMessages(sessionId)).filter((m) => !m.supersededAt)
    const last = messages.findLast((m) => m.role === 'user')
    if (!last) throw new PlatformError(KernelErrorCode.NOTHING_TO_REGENERATE, 'The session has no message to answer again; send one first.', { httpStatus: 409 })
    const at = this.deps.clock.now().toISOString()
    const answers = messages.filter((m) => m.turnId === last.turnId && m.role === 'assistant' && !compactionOf(m))
    for (const answer of answers) await this.#persist({ ...answer, supersededAt: at }, last.turnId)
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
    const source = await this.#requireSession(sessionId)
    this.#refuseWhenClosing()
    const messages = orderByTurn(await this.deps.sessionStore.listMessages(sessionId)).filter((m) => !m.supersededAt)
    const index = messages.findIndex((m) => m.id === messageId)
    if (index === -1) {
      throw new PlatformError(KernelErrorCode.MESSAGE_NOT_FOUND, `Session "${sessionId}" has no message "${messageId}" (superseded answers cannot be edited either).`, { httpStatus: 404, details: { sessionId, messageId } })
    }
    if (messages[index].role !== 'user') {
      throw new PlatformError(KernelErrorCode.MESSAGE_NOT_EDITABLE, `Message "${messageId}" is the assistant's; only user messages can be edited and sent again.`, { httpStatus: 400, details: { messageId } })
    }
    const now = this.deps.clock.now().toISOString()
    const fork: SessionInfo = {
      ...source, id: this.deps.ids.next('ses'), parentId: null, title: source.title ? `${source.title} (edited)`.slice(0, 200) : null,
      forkedFrom: { sessionId, messageId }, status: 'idle', seq: 0, createdAt: now, updatedAt: now,
    }
    await this.deps.sessionStore.createSession(fork)
    for (const copy of copyMessages(messages.slice(0, index), fork.id, this.deps.ids)) await this.deps.sessionStore.saveMessage(copy)
    const runtime = this.#runtime(fork.id)
    runtime.seeded = true
    runtime.events.emit('session.created', fork, { global: true })
    const sent = await this.prompt(fork.id, body)
    return { session: fork, ...sent }
  }

  /** Compact the conversation now (queued like a turn); resolves once the summary is stored. */
  async compactNow(sessionId: string): Promise<CompactResult> {
    const session = await this.#requireSession(sessionId)
    this.#refuseWhenClosing()
    const runtime = await this.#seededRuntime(session)
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
    const active = this.#runtimes.get(sessionId)?.active
    if (!active) return false
    active.abort(new PlatformError(KernelErrorCode.TURN_ABORTED, 'The turn was aborted.'))
    return true
  }

  activeTurns(): number {
    let count = 0
    for (const runtime of this.#runtimes.values()) if (runtime.active) count += 1
    return count
  }

  /** Stop taking turns, abort running ones, wait for them to persist, end every session scope. */
  async close(): Promise<void> {
    this.#closing = true
    for (const runtime of this.#runtimes.values()) runtime.active?.abort(new PlatformError(KernelErrorCode.TURN_ABORTED, 'The server is shutting down.'))
    this.#closed.abort(new PlatformError(KernelErrorCode.TURN_ABORTED, 'The server is shutting down.'))
    await Promise.all([...this.#runtimes.values()].map((r) => r.tail))
    await Promise.all(this.#background)
    await Promise.all([...this.#runtimes.values()].map((r) => r.events.flush()))
    await this.#scopes.endAll('shutdown')
  }

  async #runTurn(sessionId: string, turnId: string, job: TurnJob): Promise<TurnOutcome> {
    const runtime = this.#runtime(sessionId)
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
      const session = await this.#requireSession(sessionId)
      // Another writer (another server instance) moved the session on since this one last did: reload.
      if (session.seq !== runtime.historySeq) runtime.history = null
      await this.#scopes.activate(session)
      // Announce busy at once; its store write runs beside the model call and is awaited before idle.
      events.emit('session.status', { sessionId: session.id, status: 'busy' }, { global: true })
      const busyStored = this.deps.sessionStore
        .updateSession(session.id, { status: 'busy', updatedAt: this.deps.clock.now().toISOString() })
        .catch((error: unknown) => this.deps.logger.error('storing the busy status failed', { sessionId, error: String(error) }))
      events.emit('turn.started', { turnId })
      const deps: TurnDeps = { ...this.deps, clientFor: (id) => this.#client(id), persist: (m, t) => this.#persist(m, t), history: () => this.#history(session), tools: this.#tools }
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
      await busyStored
      await this.#setStatus(session, runtime.queued > 0 ? 'busy' : 'idle', events)
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
      const before = (await this.#history(session)).length
      const messages = toChatMessages(await this.#history(session), turnId)
      const contextTokens = this.deps.registries.providers.get(session.provider)?.listModels().find((m) => m.id === session.model)?.contextWindow ?? this.deps.config.limits.contextTokens
      const compacted = await compact(deps, { session, turnId, signal, events, reason: 'manual', estimatedTokens: estimateTokens('', messages, []), contextTokens })
      if (!compacted) throw new PlatformError(KernelErrorCode.NOTHING_TO_COMPACT, 'Nothing to compact: the conversation is only the last turns, which are always kept.', { httpStatus: 409 })
      const history = await this.#history(session)
      job.done({ turnId, compacted: true, messageId: history.slice(before).find((m) => compactionOf(m))?.id })
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
    const work = (async () => {
      const first = (await this.#history(session)).find((m) => m.role === 'user')
      const text = first?.parts.find((p) => p.kind === 'text')?.data.text
      if (typeof text !== 'string' || text.trim() === '') return
      const answer = await sideCall(deps, { session, turnId, signal: this.#closed.signal, activity: 'title', system: TITLE_PROMPT, messages: [{ role: 'user', content: [{ type: 'text', text: text.slice(0, 4000) }] }] })
      const title = cleanTitle(answer.text)
      if (!title) return
      const current = await this.deps.sessionStore.getSession(session.id)
      if (!current || current.title !== null) return
      await this.deps.sessionStore.updateSession(session.id, { title, updatedAt: this.deps.clock.now().toISOString() })
      events.emit('session.updated', { id: session.id, changes: { title } }, { global: true })
    })().catch((error: unknown) => {
      if (!this.#closed.signal.aborted) this.deps.logger.warn('naming the session failed', { sessionId: session.id, error: (error as Error).message })
    })
    this.#background.add(work)
    void work.finally(() => this.#background.delete(work))
  }

  /** Store the status (with the sequence reached so far) before announcing it, so a refetch agrees. */
  async #setStatus(session: SessionInfo, status: SessionStatus, events: EventWriter): Promise<void> {
    const last = await events.flush()
    const seq = last?.stream === sessionStream(session.id) ? last.seq : await this.deps.eventBus.head(sessionStream(session.id))
    await this.deps.sessionStore.updateSession(session.id, { status, seq, updatedAt: this.deps.clock.now().toISOString() })
    this.#runtime(session.id).historySeq = seq
    events.emit('session.status', { sessionId: session.id, status }, { global: true })
  }

  /** The session's messages: cached in the runtime after the first load (see #runTurn for invalidation). */
  async #history(session: SessionInfo): Promise<MessageInfo[]> {
    const runtime = this.#runtime(session.id)
    runtime.history ??= await this.deps.sessionStore.listMessages(session.id)
    return runtime.history
  }

  async #persist(message: MessageInfo, turnId: string): Promise<void> {
    const ctx = { sessionId: message.sessionId, turnId }
    const record = await this.deps.hooks.message.persist.promise(message, ctx)
    await this.deps.sessionStore.saveMessage(record)
    const history = this.#runtimes.get(message.sessionId)?.history
    if (history) {
      const index = history.findLastIndex((m) => m.id === record.id)
      if (index === -1) history.push(structuredClone(record))
      else history[index] = structuredClone(record)
    }
    this.deps.notify(this.deps.hooks.message.persisted, record, ctx)
  }

  #userMessage(session: SessionInfo, turnId: string, body: PostMessageBody): MessageInfo {
    const now = this.deps.clock.now().toISOString()
    const id = this.deps.ids.next('msg')
    const parts: MessageInfo['parts'] = [{ id: this.deps.ids.next('prt'), messageId: id, ordinal: 0, kind: 'text', data: { text: body.text }, createdAt: now, updatedAt: now }]
    for (const attachment of body.attachments ?? []) {
      parts.push({ id: this.deps.ids.next('prt'), messageId: id, ordinal: parts.length, kind: 'file', data: { ...attachment }, createdAt: now, updatedAt: now })
    }
    return { id, sessionId: session.id, turnId, role: 'user', agent: session.agent, provider: session.provider, model: session.model, finish: 'stop', error: null, createdAt: now, completedAt: now, parts }
  }

  /** Make sure the session's event stream continues from the sequence stored with the session. */
  async openStream(sessionId: string): Promise<SessionInfo> {
    const session = await this.#requireSession(sessionId)
    await this.#seededRuntime(session)
    return session
  }

  async #seededRuntime(session: SessionInfo): Promise<SessionRuntime> {
    const runtime = this.#runtime(session.id)
    if (!runtime.seeded) {
      await this.deps.eventBus.seed(sessionStream(session.id), session.seq)
      runtime.seeded = true
    }
    return runtime
  }

  #client(providerId: string): ProviderClient {
    let client = this.#clients.get(providerId)
    if (!client) {
      const provider = this.deps.registries.providers.get(providerId)
      if (!provider) throw new PlatformError(KernelErrorCode.SESSION_PROVIDER_UNKNOWN, `Provider "${providerId}" is not enabled.`)
      client = provider.createClient({ logger: this.deps.logger.child(`provider:${providerId}`) })
      this.#clients.set(providerId, client)
    }
    return client
  }

  #runtime(sessionId: string): SessionRuntime {
    let runtime = this.#runtimes.get(sessionId)
    if (!runtime) {
      runtime = { tail: Promise.resolve(), queued: 0, active: null, seeded: false, history: null, historySeq: -1, events: createEventWriter({ eventBus: this.deps.eventBus, logger: this.deps.logger, sessionId }) }
      this.#runtimes.set(sessionId, runtime)
    }
    return runtime
  }

  async #requireSession(id: string): Promise<SessionInfo> {
    const session = await this.deps.sessionStore.getSession(id)
    if (!session) throw new PlatformError(KernelErrorCode.SESSION_NOT_FOUND, `No session with id "${id}".`, { httpStatus: 404, details: { id } })
    return session
  }
}
