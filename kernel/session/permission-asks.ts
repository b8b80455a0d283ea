import { KernelErrorCode, PlatformError } from '../errors.js'
import type { EventBus, Ids } from '../ports/types.js'
import { sessionStream, type PermissionReply } from '../protocol/index.js'
import type { EventWriter } from './event-writer.js'

export interface AskInput {
  sessionId: string
  callId: string
  tool: string
  kind: string
  summary: string
  patterns: string[]
  reason: string
}

export interface AskOutcome {
  reply: PermissionReply
  message?: string
  by: 'user' | 'timeout' | 'abort'
}

interface Pending {
  sessionId: string
  callId: string
  settle(outcome: AskOutcome): void
}

/**
 * Permission asks waiting for a human, in kernel code outside any hook timeout: answered through
 * the API, rejected after `timeoutMs` (reason timeout) or when the turn aborts. What an "always"
 * answer means is up to the caller (the tool runner stores it as session rules).
 */
export class PermissionAsks {
  readonly #pending = new Map<string, Pending>()
  constructor(private readonly deps: { ids: Ids; timeoutMs: number; eventBus?: EventBus }) {}

  /** Whether this process holds the open question `askId` of the session. */
  holds(sessionId: string, askId: string): boolean {
    return this.#pending.get(askId)?.sessionId === sessionId
  }

  async ask(input: AskInput, events: EventWriter, signal: AbortSignal): Promise<AskOutcome> {
    const askId = this.deps.ids.next('ask')
    const options: PermissionReply[] = ['once', 'always', 'reject']
    events.emit('session.status', { sessionId: input.sessionId, status: 'waiting_permission', message: input.summary }, { global: true })
    events.emit('permission.asked', { askId, callId: input.callId, tool: input.tool, kind: input.kind, summary: input.summary, patterns: input.patterns, reason: input.reason, options }, { global: true })
    let stopListening = () => {}
    const outcome = await new Promise<AskOutcome>((resolve) => {
      const timer = setTimeout(() => settle({ reply: 'reject', message: 'No answer in time.', by: 'timeout' }), this.deps.timeoutMs)
      const onAbort = () => settle({ reply: 'reject', message: 'The turn was aborted.', by: 'abort' })
      const settle = (result: AskOutcome) => {
        if (!this.#pending.has(askId)) return
        clearTimeout(timer)
        stopListening()
        signal.removeEventListener('abort', onAbort)
        this.#pending.delete(askId)
        resolve(result)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.#pending.set(askId, { sessionId: input.sessionId, callId: input.callId, settle })
      // Another server instance may take the answer: it arrives as a permission.answer event.
      const unsubscribe = this.deps.eventBus?.subscribe(sessionStream(input.sessionId), (event) => {
        const data = event.data as { askId?: string; reply?: PermissionReply; message?: string }
        if (event.type === 'permission.answer' && data.askId === askId && data.reply) settle({ reply: data.reply, ...(data.message ? { message: data.message } : {}), by: 'user' })
      })
      stopListening = () => void unsubscribe?.then((stop) => stop())
      if (signal.aborted) onAbort()
    })
    events.emit('permission.replied', { askId, callId: input.callId, reply: outcome.reply, ...(outcome.message ? { message: outcome.message } : {}), by: outcome.by }, { global: true })
    events.emit('session.status', { sessionId: input.sessionId, status: 'busy' }, { global: true })
    return outcome
  }

  /** A reply from the API; unknown or foreign ask ids are a 404. */
  reply(sessionId: string, askId: string, reply: PermissionReply, message?: string): void {
    const pending = this.#pending.get(askId)
    if (!pending || pending.sessionId !== sessionId) {
      throw new PlatformError(KernelErrorCode.PERMISSION_ASK_NOT_FOUND, `No open permission question "${askId}" in session "${sessionId}"; it may have been answered or timed out.`, {
        httpStatus: 404,
        details: { askId, sessionId },
      })
    }
    pending.settle({ reply, ...(message ? { message } : {}), by: 'user' })
  }
}

/**
 * Whether the session stream's recent events hold `permission.asked` for askId and no reply yet (the
 * question is open on another server instance).
 */
export async function askOpenElsewhere(eventBus: EventBus, sessionId: string, askId: string, retention: number): Promise<boolean> {
  const stream = sessionStream(sessionId)
  const head = await eventBus.head(stream)
  const recent = await eventBus.readSince(stream, Math.max(0, head - Math.min(2_000, retention - 1)))
  if (!recent.ok) return false
  let open = false
  for (const event of recent.events) {
    if ((event.data as { askId?: string }).askId !== askId) continue
    if (event.type === 'permission.asked') open = true
    else if (event.type === 'permission.replied' || event.type === 'permission.answer') open = false
  }
  return open
}
