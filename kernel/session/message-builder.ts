import type { Clock, Ids } from '../ports/types.js'
import { atTickEnd } from '../tick-end.js'
import type { MessageInfo, PartInfo, PartKind } from '../protocol/index.js'
import type { EventWriter } from './event-writer.js'

/**
 * Turns a model's stream into one assistant message made of ordered parts, emitting
 * part.started / part.delta / part.completed as it goes. A text or reasoning part stays open until
 * a chunk of another kind arrives or the message ends. Deltas that arrive in one burst (the same turn of
 * the event loop) are sent as one part.delta: the text is the same, the events far fewer.
 */
export class MessageBuilder {
  readonly message: MessageInfo
  #open: PartInfo | null = null
  /** Text of the open part not yet announced: deltas that arrive in one burst go out as one part.delta. */
  #unsent = ''
  #flushScheduled = false

  constructor(
    private readonly deps: { ids: Ids; clock: Clock; events: EventWriter },
    message: MessageInfo,
  ) {
    this.message = message
  }

  get openPartId(): string | undefined {
    return this.#open?.id
  }

  /** Append a text or reasoning delta, opening a part of that kind when needed. */
  delta(kind: 'text' | 'reasoning', delta: string): string {
    if (this.#open?.kind !== kind) {
      this.closeOpenPart()
      this.#open = this.#startPart(kind, { text: '' })
    }
    const part = this.#open
    if (delta === '') return part.id
    part.data.text = (part.data.text as string) + delta
    this.#unsent += delta
    if (!this.#flushScheduled) {
      this.#flushScheduled = true
      atTickEnd(() => this.flushDelta())
    }
    return part.id
  }

  /** Announce the open part's text received since the last part.delta (called before any other event of the message). */
  flushDelta(): void {
    this.#flushScheduled = false
    if (!this.#open || this.#unsent === '') return
    const delta = this.#unsent
    this.#unsent = ''
    this.deps.events.emit('part.delta', { messageId: this.message.id, partId: this.#open.id, field: 'text', delta })
  }

  /** Attach a reasoning block's signature (and the provider that signed it) to the open reasoning part. */
  signReasoning(signature: string, providerId: string): void {
    if (this.#open?.kind !== 'reasoning') this.delta('reasoning', '')
    const part = this.#open as PartInfo
    part.data.signature = signature
    part.data.providerId = providerId
    // A signature ends its reasoning block: the next thought starts a new part with its own signature.
    this.closeOpenPart()
  }

  /** A complete tool call from the model, recorded as a tool part (executed by the agent loop). */
  toolCall(call: { callId: string; tool: string; input: unknown; meta?: Record<string, unknown> }): string {
    this.closeOpenPart()
    const part = this.#startPart('tool', { callId: call.callId, tool: call.tool, input: call.input, state: 'pending', ...(call.meta ? { meta: call.meta } : {}) })
    this.#complete(part)
    this.deps.events.emit('tool.updated', { callId: call.callId, partId: part.id, messageId: this.message.id, tool: call.tool, state: 'pending', input: call.input })
    return part.id
  }

  closeOpenPart(): void {
    if (!this.#open) return
    this.flushDelta()
    this.#complete(this.#open)
    this.#open = null
  }

  #startPart(kind: PartKind, data: Record<string, unknown>): PartInfo {
    const now = this.deps.clock.now().toISOString()
    const part: PartInfo = { id: this.deps.ids.next('prt'), messageId: this.message.id, ordinal: this.message.parts.length, kind, data, createdAt: now, updatedAt: now }
    this.message.parts.push(part)
    this.deps.events.emit('part.started', { messageId: this.message.id, part: { id: part.id, kind, ordinal: part.ordinal, ...data } })
    return part
  }

  #complete(part: PartInfo): void {
    part.updatedAt = this.deps.clock.now().toISOString()
    this.deps.events.emit('part.completed', { messageId: this.message.id, part: structuredClone(part) })
  }
}
