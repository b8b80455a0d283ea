/** Named stages. Plugins order taps with these, never with raw numbers or `before`. */
export const StartStage = { DEFAULT: 0, LISTEN: 1000 } as const
export const ShutdownStage = { DRAIN: -1000, DEFAULT: 0 } as const
export const RequestBuildStage = { NORMALIZE: -200, PROVIDER: -100, DEFAULT: 0, AUTH: 100, FINAL: 200 } as const
export const AdmitStage = { BUDGET: 0, RATE: 100 } as const
export const PermissionStage = { ADMIN_POLICY: -200, AGENT: -100, PROJECT_POLICY: 0, CLASSIFIER: 100 } as const
export const MessagePersistStage = { DEFAULT: 0, REDACT: 100 } as const
