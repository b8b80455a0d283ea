/** How much of the previous chunk a watched pattern may span. */
const WATCH_CARRY = 512

export interface CappedTextOptions {
  /** Looked for in everything that streams through (before the filter and the cap): see `matched`. */
  watch?: RegExp
  /** Rewrites each chunk before it is kept. */
  filter?: { push(chunk: string): string }
}

/**
 * Collects streamed text in bounded memory: the first half of the cap (head) and the last half
 * (tail) are kept, whatever lies between is counted and replaced by a marker.
 */
export class CappedText {
  /** The first match of the watched pattern, if any. */
  matched: string | undefined
  private carry = ''
  private head = ''
  private tail = ''
  private omitted = 0
  private readonly headCap: number
  private readonly tailCap: number

  constructor(
    cap: number,
    private readonly options: CappedTextOptions = {},
  ) {
    this.headCap = Math.ceil(cap / 2)
    this.tailCap = cap - this.headCap
  }

  push(chunk: string): void {
    const { watch, filter } = this.options
    if (watch && this.matched === undefined) {
      const window = this.carry + chunk
      this.matched = watch.exec(window)?.[0]
      this.carry = window.slice(-WATCH_CARRY)
    }
    if (filter) chunk = filter.push(chunk)
    const room = this.headCap - this.head.length
    if (room > 0) {
      this.head += chunk.slice(0, room)
      chunk = chunk.slice(room)
    }
    if (chunk.length === 0) return
    this.tail += chunk
    if (this.tail.length > this.tailCap) {
      this.omitted += this.tail.length - this.tailCap
      this.tail = this.tail.slice(this.tail.length - this.tailCap)
    }
  }

  /** Whether characters were dropped. */
  get truncated(): boolean {
    return this.omitted > 0
  }

  /** Characters received in all. */
  get totalChars(): number {
    return this.head.length + this.tail.length + this.omitted
  }

  toString(): string {
    if (this.omitted === 0) return this.head + this.tail
    return `${this.head}\n[... ${this.omitted} characters omitted ...]\n${this.tail}`
  }
}
