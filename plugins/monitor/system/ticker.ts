import { protocol, type EventBus, type Logger } from '../../../kernel/index.js'

export interface TickerDeps {
  intervalMs: number
  /** Close the windowed figures (CPU %, lag, GC, turn rate). */
  closeInterval(): void
  /** null: events are off. */
  emit: null | {
    eventBus: () => EventBus
    snapshot(): Promise<protocol.SystemMetrics>
    /** Whether anyone may be listening (see the README: always true with Redis). */
    listening(): boolean
  }
  logger: Logger
}

export interface Ticker {
  /** One tick now (the timer calls it; tests call it directly). Resolves once its event, if any, is appended. */
  tick(): Promise<void>
  start(): void
  stop(): Promise<void>
}

/**
 * Every `intervalMs`: close the interval, then append one `system.metrics` to the global stream when
 * events are on and someone may listen. A tick whose event is still being built (a slow health
 * check) makes the next one skip its event rather than pile up.
 */
export function createTicker(deps: TickerDeps): Ticker {
  let timer: NodeJS.Timeout | undefined
  let pending: Promise<void> | null = null
  let lastError = ''

  const emitOnce = async (emit: NonNullable<TickerDeps['emit']>) => {
    try {
      const data = await emit.snapshot()
      await emit.eventBus().append(protocol.GLOBAL_STREAM, { type: 'system.metrics', data })
      lastError = ''
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      // Once per distinct failure, not once a second.
      if (message !== lastError) deps.logger.warn('could not emit system.metrics', { error: message })
      lastError = message
    }
  }

  const tick = async () => {
    deps.closeInterval()
    const { emit } = deps
    if (!emit || pending || !emit.listening()) return
    pending = emitOnce(emit).finally(() => {
      pending = null
    })
    await pending
  }

  return {
    tick,
    start() {
      timer = setInterval(() => void tick(), deps.intervalMs)
      timer.unref()
    },
    async stop() {
      clearInterval(timer)
      await pending
    },
  }
}
