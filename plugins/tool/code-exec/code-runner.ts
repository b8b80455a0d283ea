import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PlatformError, type Logger } from '../../../kernel/index.js'
import type { CodeExecOptions } from './config.js'
import { NODE_DATA_HEADROOM_MB, nodeCommand } from './javascript.js'
import { NODE_RUNNER_SOURCE } from './node-runner.js'
import { findPython, pythonCommand, type PythonInfo } from './python.js'
import { PYTHON_PRELUDE_SOURCE } from './python-prelude.js'
import { runSandboxed, type SandboxOutcome } from './sandbox.js'
import { V8ReportFilter } from './v8-report-filter.js'

export type CodeLanguage = 'javascript' | 'python'

export interface CodeRunRequest {
  language: CodeLanguage
  code: string
  /** Defaults to the `timeoutMs` option; clamped to `maxTimeoutMs`. */
  timeoutMs?: number
  signal: AbortSignal
}

export interface CodeRunResult {
  language: CodeLanguage
  exitCode: number | null
  exitSignal: string | null
  timedOut: boolean
  aborted: boolean
  memoryExceeded: boolean
  durationMs: number
  timeoutMs: number
  memoryLimitMb: number
  stdout: string
  stderr: string
  stdoutTruncated: boolean
  stderrTruncated: boolean
  /** The snippet's result, JSON-encoded; null when it produced none. */
  result: string | null
}

export interface CodeExecService {
  /** The Python interpreter found (looked up once), or null when Python is off or missing. */
  python(): Promise<PythonInfo | null>
  /** Run one snippet in a fresh temp dir under the configured limits; the dir is removed afterwards. */
  run(request: CodeRunRequest): Promise<CodeRunResult>
}

/** What a process prints when it hit the memory limit. */
const OUT_OF_MEMORY: Record<CodeLanguage, RegExp> = {
  javascript: /FATAL ERROR:[^\n]*(heap out of memory|heap limit)[^\n]*|Array buffer allocation failed/,
  python: /(^|\n)MemoryError\b/,
}

/** A JavaScript child's stderr keeps the snippet's text and this verdict, not V8's report (see V8ReportFilter). */
function tidyNodeOomStderr(stderr: string, verdict: string): string {
  return stderr.includes(verdict) ? stderr : `${stderr.trimEnd()}\n${verdict}`.trim()
}

function toResult(language: CodeLanguage, outcome: SandboxOutcome, timeoutMs: number, memoryLimitMb: number): CodeRunResult {
  let stderr = outcome.stderr.toString()
  const oom = outcome.stderr.matched
  const memoryExceeded = !outcome.timedOut && !outcome.aborted && outcome.exitCode !== 0 && oom !== undefined
  if (memoryExceeded && language === 'javascript') stderr = tidyNodeOomStderr(stderr, oom.trim())
  const result = outcome.result.toString()
  return {
    language,
    exitCode: outcome.exitCode,
    exitSignal: outcome.exitSignal,
    timedOut: outcome.timedOut,
    aborted: outcome.aborted,
    memoryExceeded,
    durationMs: outcome.durationMs,
    timeoutMs,
    memoryLimitMb,
    stdout: outcome.stdout.toString(),
    stderr,
    stdoutTruncated: outcome.stdout.truncated,
    stderrTruncated: outcome.stderr.truncated,
    result: result === '' ? null : result,
  }
}

export function createCodeExecService(options: CodeExecOptions, logger: Logger): CodeExecService {
  let pythonLookup: Promise<PythonInfo | null> | undefined
  const python = () => (options.python ? (pythonLookup ??= findPython(options.pythonCommand)) : Promise.resolve(null))

  async function requirePython(): Promise<PythonInfo> {
    const info = await python()
    if (info) return info
    const why = options.python
      ? `no Python 3 interpreter was found (command "${options.pythonCommand}")`
      : 'Python is turned off in the tool-code-exec options'
    throw new PlatformError('TOOL_CODE_EXEC_PYTHON_UNAVAILABLE', `Python is not available on this server: ${why}. Use language "javascript" instead.`)
  }

  /** Writes the runner and the snippet into `<baseDir>/run`; `<baseDir>/work` is the snippet's cwd and HOME. */
  async function prepare(baseDir: string, language: CodeLanguage, code: string, python: PythonInfo | undefined) {
    const workDir = join(baseDir, 'work')
    const runDir = join(baseDir, 'run')
    await Promise.all([mkdir(workDir), mkdir(runDir)])
    if (language === 'javascript') {
      await Promise.all([writeFile(join(runDir, 'runner.cjs'), NODE_RUNNER_SOURCE), writeFile(join(runDir, 'snippet.js'), code)])
      const command = nodeCommand({ baseDir, workDir, runDir, heapLimitMb: options.memoryLimitMb })
      return { workDir, ...command, dataLimitMb: options.memoryLimitMb + NODE_DATA_HEADROOM_MB }
    }
    await Promise.all([writeFile(join(runDir, 'prelude.py'), PYTHON_PRELUDE_SOURCE), writeFile(join(runDir, 'snippet.py'), code)])
    return { workDir, ...pythonCommand(python!, runDir), dataLimitMb: options.memoryLimitMb }
  }

  async function run(request: CodeRunRequest): Promise<CodeRunResult> {
    const timeoutMs = Math.min(Math.max(1, request.timeoutMs ?? options.timeoutMs), options.maxTimeoutMs)
    const info = request.language === 'python' ? await requirePython() : undefined
    const baseDir = await realpath(await mkdtemp(join(options.tempRoot ?? tmpdir(), 'code-exec-')))
    try {
      const prepared = await prepare(baseDir, request.language, request.code, info)
      const outcome = await runSandboxed({
        command: prepared.command,
        args: prepared.args,
        cwd: prepared.workDir,
        env: { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: prepared.workDir, LANG: process.env.LANG ?? 'C.UTF-8' },
        timeoutMs,
        dataLimitMb: prepared.dataLimitMb,
        outputCapChars: options.outputCapChars,
        stderrOptions: { watch: OUT_OF_MEMORY[request.language], filter: request.language === 'javascript' ? new V8ReportFilter() : undefined },
        signal: request.signal,
      })
      if (outcome.spawnError) {
        const message = `Could not start the ${request.language} process (${outcome.spawnError.message}): check that /bin/sh exists and the temp dir is usable.`
        throw new PlatformError('TOOL_CODE_EXEC_SPAWN_FAILED', message, { cause: outcome.spawnError })
      }
      return toResult(request.language, outcome, timeoutMs, options.memoryLimitMb)
    } finally {
      await rm(baseDir, { recursive: true, force: true }).catch((error: Error) =>
        logger.warn('could not remove a code-exec temp dir', { dir: baseDir, error: error.message }),
      )
    }
  }

  return { python, run }
}
