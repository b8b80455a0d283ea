import { spawn, type ChildProcess } from 'node:child_process'
import { CappedText, type CappedTextOptions } from './capped-text.js'

/** One child process to run under limits. */
export interface SandboxRequest {
  command: string
  args: string[]
  cwd: string
  env: Record<string, string>
  timeoutMs: number
  /** Written to the process's data-segment limit (`ulimit -d`, in MB); 0 = no limit. */
  dataLimitMb: number
  outputCapChars: number
  /** Watch and filter for stderr (see CappedText): e.g. spot and drop an out-of-memory report. */
  stderrOptions?: CappedTextOptions
  signal: AbortSignal
}

export interface SandboxOutcome {
  exitCode: number | null
  /** Signal that ended the process, if any. */
  exitSignal: NodeJS.Signals | null
  timedOut: boolean
  aborted: boolean
  durationMs: number
  stdout: CappedText
  stderr: CappedText
  /** What the runner wrote to fd 3 (the snippet's JSON-encoded result), if anything. */
  result: CappedText
  /** The process could not be started. */
  spawnError?: Error
}

/** How long stdio may stay open after the process exited (a grandchild that left the group). */
const CLOSE_GRACE_MS = 500

/**
 * `sh` sets the limits (no core dumps, data segment), then `env -i` replaces the whole environment
 * with ours (a spawn patched by a test runner or an APM agent may have added variables) and `exec`s
 * the command: the pid we spawn stays the command's pid and the leader of its own process group.
 */
const LIMITS_SCRIPT = 'ulimit -c 0 && if [ "$1" -gt 0 ]; then ulimit -d "$1"; fi && shift && exec /usr/bin/env -i "$@"'

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * Runs one command in a new process group with a time limit, a memory limit, capped output and a
 * result pipe on fd 3. The whole group is killed on timeout, on abort and once the process exits
 * (so nothing it started lingers). Never rejects.
 */
export function runSandboxed(request: SandboxRequest): Promise<SandboxOutcome> {
  const stdout = new CappedText(request.outputCapChars)
  const stderr = new CappedText(request.outputCapChars, request.stderrOptions)
  const result = new CappedText(request.outputCapChars)
  const started = Date.now()
  const outcome = (extra: Partial<SandboxOutcome>): SandboxOutcome => ({
    exitCode: null, exitSignal: null, timedOut: false, aborted: false, durationMs: Date.now() - started, stdout, stderr, result, ...extra,
  })
  if (request.signal.aborted) return Promise.resolve(outcome({ aborted: true }))

  return new Promise((resolve) => {
    const dataLimitKb = String(Math.max(0, Math.round(request.dataLimitMb * 1024)))
    const envArgs = Object.entries(request.env).map(([name, value]) => `${name}=${value}`)
    const child = spawn('/bin/sh', ['-c', LIMITS_SCRIPT, 'sh', dataLimitKb, ...envArgs, request.command, ...request.args], {
      cwd: request.cwd,
      env: request.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    })
    let timedOut = false
    let aborted = false
    let exit: { code: number | null; signal: NodeJS.Signals | null; at: number } | undefined
    let graceTimer: NodeJS.Timeout | undefined
    let settled = false

    const onAbort = () => {
      aborted = true
      killGroup(child)
    }
    const timer = setTimeout(() => {
      timedOut = true
      killGroup(child)
    }, request.timeoutMs)
    request.signal.addEventListener('abort', onAbort, { once: true })

    const finish = (extra: Partial<SandboxOutcome>) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      clearTimeout(graceTimer)
      request.signal.removeEventListener('abort', onAbort)
      for (const stream of child.stdio) stream?.destroy()
      resolve(outcome({ timedOut, aborted, ...extra }))
    }
    const collect = (stream: NodeJS.ReadableStream | null | undefined, into: CappedText) => {
      stream?.setEncoding('utf8')
      stream?.on('data', (chunk: string) => into.push(chunk))
    }
    collect(child.stdout, stdout)
    collect(child.stderr, stderr)
    collect(child.stdio[3] as NodeJS.ReadableStream | null, result)

    child.on('error', (error) => finish({ spawnError: error }))
    child.on('exit', (code, signal) => {
      exit = { code, signal, at: Date.now() }
      killGroup(child)
      graceTimer = setTimeout(() => finish({ exitCode: code, exitSignal: signal, durationMs: exit!.at - started }), CLOSE_GRACE_MS)
    })
    child.on('close', () => {
      if (exit) finish({ exitCode: exit.code, exitSignal: exit.signal, durationMs: exit.at - started })
    })
  })
}
