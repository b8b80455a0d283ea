import type { CodeExecService } from './code-runner.js'

export type { CodeExecService, CodeRunRequest, CodeRunResult, CodeLanguage } from './code-runner.js'
export type { PythonInfo } from './python.js'

declare module '../../../kernel/services.js' {
  interface KernelServices {
    toolCodeExec: CodeExecService
  }
}
