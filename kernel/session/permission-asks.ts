import { KernelErrorCode, PlatformError } from '../errors.js'
import type { Ids } from '../ports/types.js'
import type { PermissionReply } from '../protocol/index.js'
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

/** `*` at the end of a remembered pattern matches any rest; otherwise the subject must be equal. */
function covers(pattern: string, subject: string): boolean {
  return pattern === '*' || pattern === subject || (pattern.endsWith('*') && subject.startsWith(pattern.slice(0, -1)))
}

/**
 * Permission asks waiting for a human, in kernel code outside any hook timeout: answered through
 * the API, rejected after `timeoutMs` (reason timeout) or when the turn aborts. "always" answers are
 * remembered per session (tool + pattern).
 */
export class PermissionAsks {
  readonly #pending = new Map<string, Pending>()
  readonly #always = new Map<string, Array<{ tool: string; pattern: string }>>()

  constructor(private readonly deps: { ids: Ids; timeoutMs: number }) {}

  /** Whether an earlier "always" of this session covers the call. */
  remembered(sessionId: string, tool: string, subjects: string[]): boolean {
    const rules = this.#always.get(sessionId) ?? []
    return subjects.every((subject) => rules.some((r) => r.tool === tool && covers(r.pattern, subject)))
  }

  async ask(input: AskInput, events: EventWriter, signal: AbortSignal): Promise<AskOutcome> {
    const askId = this.deps.ids.next('ask')
    const options: PermissionReply[] = ['once', 'always', 'reject']
    events.emit('session.status', { sessionId: input.sessionId, status: 'waiting_permission', message: input.summary }, { global: true })
    events.emit('permission.asked', { askId, callId: input.callId, tool: input.tool, kind: input.kind, summary: input.summary, patterns: input.patterns, reason: input.reason, options }, { global: true })
    const outcome = await new Promise<AskOutcome>((resolve) => {
      const timer = setTimeout(() => settle({ reply: 'reject', message: 'No answer in time.', by: 'timeout' }), this.deps.timeoutMs)
      const onAbort = () => settle({ reply: 'reject', message: 'The turn was aborted.', by: 'abort' })
      const settle = (result: AskOutcome) => {
        clearTimeout(timer)
        signal.removeEventListener('abort', onAbort)
        this.#pending.delete(askId)
        resolve(result)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.#pending.set(askId, { sessionId: input.sessionId, callId: input.callId, settle })
      if (signal.aborted) onAbort()
    })
    if (outcome.reply === 'always') {
      const rules = this.#always.get(input.sessionId) ?? []
      for (const pattern of input.patterns) rules.push({ tool: input.tool, pattern })
      this.#always.set(input.sessionId, rules)
    }
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

  /** Forget a session's remembered answers (its scope ended). */
  forget(sessionId: string): void {
    this.#always.delete(sessionId)
  }
}
