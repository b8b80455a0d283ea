/** Where V8's fatal out-of-memory report starts on stderr. */
const REPORT_START = '<--- Last few GCs --->'

/**
 * Drops V8's fatal out-of-memory report (GC log, JS stack, native stack: tens of lines that only
 * help V8 developers) from a JavaScript child's stderr as it streams, so the output cap keeps what
 * the snippet itself printed. The runner adds the verdict line back (see `tidyNodeOomStderr`).
 */
export class V8ReportFilter {
  private dropping = false

  push(chunk: string): string {
    if (this.dropping) return ''
    const start = chunk.indexOf(REPORT_START)
    if (start < 0) return chunk
    this.dropping = true
    return chunk.slice(0, start)
  }
}
