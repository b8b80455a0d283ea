import { listHooks, type KernelHooks } from '../hooks/index.js'

export interface RecordedHookCall {
  hook: string
  /** Plugins whose taps ran, in order, with their stage. */
  taps: Array<{ plugin: string; stage: number }>
}

/**
 * Records every hook call and the taps that ran for it, through tapable interceptors.
 * Install before boot (createTestKernel does) to see the whole sequence.
 */
export class HookRecorder {
  readonly calls: RecordedHookCall[] = []
  #enabled = true

  constructor(hooks: KernelHooks) {
    for (const [name, hook] of listHooks(hooks)) {
      let current: RecordedHookCall | null = null
      hook.intercept({
        name: 'recorder',
        call: () => {
          if (!this.#enabled) return
          current = { hook: name, taps: [] }
          this.calls.push(current)
        },
        tap: (tap: { name: string; stage?: number }) => {
          if (this.#enabled && current) current.taps.push({ plugin: tap.name, stage: tap.stage ?? 0 })
        },
      })
    }
  }

  /** Hook names in call order, consecutive repeats collapsed (`stream.textDelta` x N -> one). */
  sequence(options: { collapse?: boolean; filter?: (hook: string) => boolean } = {}): string[] {
    const names = this.calls.map((c) => c.hook).filter(options.filter ?? (() => true))
    if (options.collapse === false) return names
    return names.filter((name, i) => i === 0 || names[i - 1] !== name)
  }

  clear(): void {
    this.calls.length = 0
  }

  pause(): void {
    this.#enabled = false
  }

  resume(): void {
    this.#enabled = true
  }
}
