import { execFile } from 'node:child_process'
import { join } from 'node:path'

export interface PythonInfo {
  /** Absolute path of the interpreter (resolved once, so the child needs no PATH lookup or shim). */
  executable: string
  version: string
}

const PROBE = 'import sys; print(sys.executable); print(sys.version.split()[0]); print(sys.version_info[0])'

/**
 * Finds Python 3 by running `<command> -c ...` with the server's environment (pyenv and similar
 * shims need it); resolves null when the command is missing, fails, or is not Python 3.
 */
export function findPython(command: string, timeoutMs = 10_000): Promise<PythonInfo | null> {
  return new Promise((resolve) => {
    execFile(command, ['-c', PROBE], { timeout: timeoutMs, windowsHide: true }, (error, stdout) => {
      if (error) return resolve(null)
      const [executable, version, major] = stdout.trim().split('\n').map((line) => line.trim())
      resolve(executable && major === '3' ? { executable, version } : null)
    })
  })
}

/** `python3 -I -S -B -u prelude.py snippet.py`: isolated mode, no site, no .pyc files, unbuffered. */
export function pythonCommand(python: PythonInfo, runDir: string): { command: string; args: string[] } {
  return { command: python.executable, args: ['-I', '-S', '-B', '-u', join(runDir, 'prelude.py'), join(runDir, 'snippet.py')] }
}
