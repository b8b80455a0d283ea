/** Counts children started per session turn; entries older than the last 1000 turns are forgotten. */
export class TurnBudget {
  readonly #used = new Map<string, number>()

  constructor(private readonly max: number) {}

  /** Take one start for the turn; false when the turn has used its budget. */
  take(sessionId: string, turnId: string): boolean {
    const key = `${sessionId}/${turnId}`
    const used = this.#used.get(key) ?? 0
    if (used >= this.max) return false
    this.#used.delete(key)
    this.#used.set(key, used + 1)
    if (this.#used.size > 1000) this.#used.delete(this.#used.keys().next().value!)
    return true
  }
}
