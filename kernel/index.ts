/**
 * The kernel's public API for plugins. Import everything from here (or `agent-platform/kernel`
 * for plugins outside this repository); never from kernel internals.
 */
export { definePlugin, type PluginDefinition, type PluginContext, type ProvideOptions, type Lifetime, type Cradle } from './plugin.js'
export { defineConfig, env, Secret, secretSchema, redact, permissionRuleSchema, type PlatformConfigInput, type KernelConfig, type AgentConfig, type PluginEntry, type PermissionRule } from './config.js'
export { defineTool, type ToolDefinition, type ToolContext, type ToolResult, type ToolKind, type PermissionRequest } from './tool.js'
export { PlatformError, isPlatformError, KernelErrorCode } from './errors.js'
export * from './hooks/stages.js'
export type { KernelHooks, ReadyInfo, MessageHookContext, ParsedCall, PermissionDecision, ToolTiming } from './hooks/index.js'
export type { HooksFacade, HookTap } from './interceptors.js'
export type { KernelServices } from './services.js'
export { defineRegistry, type Registry, type KernelRegistries, type AgentDefinition, type RouteDefinition, type CommandDefinition } from './registries/index.js'
export type * from './ports/types.js'
export type * from './provider.js'
export type * from './turn.js'
export type { SessionEngine } from './session/engine.js'
export type { Kernel, KernelState } from './kernel.js'
export type { KernelDescription } from './describe.js'
export { acquireDirLock } from './data-lock.js'
export { CredentialPrecedence, secretHint } from './auth.js'
export type { AuthMode, Credential, CredentialInfo, CredentialPatch, CredentialQuery, CredentialResolver, CredentialSource, CredentialSourceDefinition, CredentialStore, NewCredential } from './auth.js'
export { withRetry, parseRetryAfter, type RetryPolicy, type RetryDecision } from './retry.js'
export * as protocol from './protocol/index.js'
