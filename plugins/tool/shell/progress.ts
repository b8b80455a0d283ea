import type { ToolContext } from '../../../kernel/index.js'

export interface ProgressOptions {
  intervalMs: number
  /** Longest `output` of one update; when more arrived since the last one, its middle is skipped. */
  maxChars: number
}

export interface ProgressStream {
  /** New output text; reported now or at the next allowed moment. */
  push(text: string): void
  /** Report what is pending now and stop the timer. */
  flush(): void
}

function formatSize(chars: number): string {
  return chars < 10_000 ? `${chars} chars` : `${Math.round(chars / 1000)}k chars`
}

/** Streams new output as progress at most once per `intervalMs`. */
export function createProgressStream(report: ToolContext['reportProgress'], options: ProgressOptions): ProgressStream {
  const started = Date.now()
  let pending = ''
  let skipped = 0
  let total = 0
  let lastAt = 0
  let timer: NodeJS.Timeout | undefined

  const emit = () => {
    clearTimeout(timer)
    timer = undefined
    if (!pending) return
    const output = skipped > 0 ? `[... ${skipped} characters not shown live ...]\n${pending}` : pending
    pending = ''
    skipped = 0
    lastAt = Date.now()
    const seconds = ((lastAt - started) / 1000).toFixed(1)
    report({ output, message: `Running for ${seconds} s, ${formatSize(total)} of output` })
  }

  return {
    push(text) {
      if (!text) return
      total += text.length
      pending += text
      if (pending.length > options.maxChars) {
        skipped += pending.length - options.maxChars
        pending = pending.slice(-options.maxChars)
      }
      const wait = lastAt + options.intervalMs - Date.now()
      if (wait <= 0) emit()
      else timer ??= setTimeout(emit, wait)
    },
    flush: emit,
  }
}
