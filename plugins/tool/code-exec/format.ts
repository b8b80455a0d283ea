import type { CodeRunResult } from './code-runner.js'

/** Whether the run counts as failed for the model. */
export function isFailure(run: CodeRunResult): boolean {
  return run.timedOut || run.aborted || run.memoryExceeded || run.exitCode !== 0
}

function verdict(run: CodeRunResult): string {
  const after = `after ${run.durationMs} ms`
  if (run.aborted) return `Aborted ${after}: the process and everything it started were killed. Output up to that point is below.`
  if (run.timedOut) {
    return `Timed out: the time limit of ${run.timeoutMs} ms was reached and the process was killed. Make the code faster, or pass a larger timeout_ms.`
  }
  if (run.memoryExceeded) {
    return `Memory limit of ${run.memoryLimitMb} MB reached ${after}: the snippet was stopped. Use less memory (process data in smaller pieces).`
  }
  if (run.exitCode === null) return `Killed by signal ${run.exitSignal ?? 'unknown'} ${after}.`
  if (run.exitCode !== 0) return `Failed with exit code ${run.exitCode} ${after}${run.stderr ? '; the error is in stderr below' : ''}.`
  return `Exit code 0 ${after}.`
}

const DENIED = 'ERR_ACCESS_DENIED'

/** A hint when the JavaScript permission model refused something. */
function deniedHint(run: CodeRunResult): string[] {
  if (run.language !== 'javascript' || !run.stderr.includes(DENIED)) return []
  return ['The snippet tried something execute_code does not allow (files outside its directory, child processes, workers or signals); change the code instead of retrying.']
}

function section(name: string, text: string, truncated: boolean): string[] {
  if (text === '') return []
  const note = truncated ? ' (too long: the middle was cut)' : ''
  return [`--- ${name}${note} ---`, text.endsWith('\n') ? text.slice(0, -1) : text]
}

/** The text the model sees: the verdict, then stdout, stderr and the JSON result when present. */
export function formatRun(run: CodeRunResult): string {
  const lines = [
    verdict(run),
    ...deniedHint(run),
    ...section('stdout', run.stdout, run.stdoutTruncated),
    ...section('stderr', run.stderr, run.stderrTruncated),
    ...section('result (JSON)', run.result ?? '', false),
  ]
  if (lines.length === 1) lines.push('(no output and no result)')
  return lines.join('\n')
}
