import type { ToolShellService } from './shell-service.js'

export type { ToolShellService } from './shell-service.js'
export type { Launcher } from './launcher.js'

declare module '../../../kernel/services.js' {
  interface KernelServices {
    toolShell: ToolShellService
  }
}
