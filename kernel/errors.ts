/**
 * Every error the platform throws on purpose is a PlatformError with a stable UPPER_SNAKE code.
 * Clients branch on `code`, never on `message`. Codes are never renamed or reused.
 */
export interface PlatformErrorOptions {
  details?: Record<string, unknown>
  cause?: unknown
  retryable?: boolean
  httpStatus?: number
}

export class PlatformError extends Error {
  readonly code: string
  readonly details?: Record<string, unknown>
  readonly retryable: boolean
  readonly httpStatus: number

  constructor(code: string, message: string, options: PlatformErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'PlatformError'
    this.code = code
    this.details = options.details
    this.retryable = options.retryable ?? false
    this.httpStatus = options.httpStatus ?? 500
  }

  toJSON(): { code: string; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details }
  }
}

export function isPlatformError(value: unknown): value is PlatformError {
  return value instanceof PlatformError
}

/** Kernel-owned error codes. Plugins define their own, prefixed with their id. */
export const KernelErrorCode = {
  CONFIG_INVALID: 'KERNEL_CONFIG_INVALID',
  CONFIG_NOT_FOUND: 'KERNEL_CONFIG_NOT_FOUND',
  PLUGIN_UNKNOWN: 'KERNEL_PLUGIN_UNKNOWN',
  PLUGIN_INVALID: 'KERNEL_PLUGIN_INVALID',
  PLUGIN_OPTIONS_INVALID: 'KERNEL_PLUGIN_OPTIONS_INVALID',
  DEPENDENCY_MISSING: 'KERNEL_DEPENDENCY_MISSING',
  DEPENDENCY_DISABLED: 'KERNEL_DEPENDENCY_DISABLED',
  DEPENDENCY_CYCLE: 'KERNEL_DEPENDENCY_CYCLE',
  REGISTER_ASYNC: 'KERNEL_REGISTER_ASYNC',
  PORT_CONFLICT: 'KERNEL_PORT_CONFLICT',
  SERVICE_UNDECLARED: 'KERNEL_SERVICE_UNDECLARED',
  SERVICE_DUPLICATE: 'KERNEL_SERVICE_DUPLICATE',
  REGISTRY_DUPLICATE: 'KERNEL_REGISTRY_DUPLICATE',
  REGISTRY_FROZEN: 'KERNEL_REGISTRY_FROZEN',
  HOOK_TIMEOUT: 'KERNEL_HOOK_TIMEOUT',
  HOOK_TAP_ASYNC: 'KERNEL_HOOK_TAP_ASYNC',
  HOOK_TAP_NAME: 'KERNEL_HOOK_TAP_NAME',
  BOOT_FAILED: 'KERNEL_BOOT_FAILED',
  SHUTDOWN_TIMEOUT: 'KERNEL_SHUTDOWN_TIMEOUT',
  SECRET_MISSING: 'KERNEL_SECRET_MISSING',
  DATA_DIR_LOCKED: 'KERNEL_DATA_DIR_LOCKED',
  SESSION_NOT_FOUND: 'SESSION_NOT_FOUND',
  SESSION_PROVIDER_UNKNOWN: 'SESSION_PROVIDER_UNKNOWN',
  SESSION_AGENT_UNKNOWN: 'SESSION_AGENT_UNKNOWN',
  SESSION_MODEL_UNKNOWN: 'SESSION_MODEL_UNKNOWN',
  AUTH_CREDENTIAL_MISSING: 'AUTH_CREDENTIAL_MISSING',
  PROVIDER_STREAM_FAILED: 'PROVIDER_STREAM_FAILED',
  TURN_ABORTED: 'TURN_ABORTED',
  PERMISSION_ASK_NOT_FOUND: 'PERMISSION_ASK_NOT_FOUND',
  PERMISSION_REJECTED: 'PERMISSION_REJECTED',
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  TOOL_UNKNOWN: 'TOOL_UNKNOWN',
  TOOL_ARGS_INVALID: 'TOOL_ARGS_INVALID',
  TOOL_TIMEOUT: 'TOOL_TIMEOUT',
  TOOL_FAILED: 'TOOL_FAILED',
  TOOL_CALL_NOT_FOUND: 'TOOL_CALL_NOT_FOUND',
  COMPACTION_FAILED: 'SESSION_COMPACTION_FAILED',
  NOTHING_TO_COMPACT: 'SESSION_NOTHING_TO_COMPACT',
  NOTHING_TO_REGENERATE: 'SESSION_NOTHING_TO_REGENERATE',
  SESSION_BUSY: 'SESSION_BUSY',
  MESSAGE_NOT_FOUND: 'SESSION_MESSAGE_NOT_FOUND',
  MESSAGE_NOT_EDITABLE: 'SESSION_MESSAGE_NOT_EDITABLE',
} as const
