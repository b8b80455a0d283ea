/** One signal for a call: aborts when the caller aborts or when the time limit passes. */
export class Deadline {
  readonly signal: AbortSignal
  private expired = false
  private readonly controller = new AbortController()
  private readonly timer: NodeJS.Timeout
  private readonly forward: () => void

  constructor(
    private readonly parent: AbortSignal,
    readonly ms: number,
  ) {
    this.signal = this.controller.signal
    this.forward = () => this.controller.abort(parent.reason)
    if (parent.aborted) this.forward()
    else parent.addEventListener('abort', this.forward, { once: true })
    this.timer = setTimeout(() => {
      this.expired = true
      this.controller.abort(new Error(`Timed out after ${ms} ms`))
    }, ms)
  }

  /** Whether the time limit (not the caller) ended the call. */
  get timedOut(): boolean {
    return this.expired
  }

  /** Whether the caller aborted. */
  get aborted(): boolean {
    return this.parent.aborted
  }

  clear(): void {
    clearTimeout(this.timer)
    this.parent.removeEventListener('abort', this.forward)
  }
}
