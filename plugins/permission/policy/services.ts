import type { PermissionRule } from '../../../kernel/index.js'

/** What permission-policy offers other plugins. */
export interface PermissionPolicyService {
  /** The rule lists in force, by source. */
  rules(): { admin: readonly PermissionRule[]; project: readonly PermissionRule[] }
}

declare module '../../../kernel/services.js' {
  interface KernelServices {
    permissionPolicy: PermissionPolicyService
  }
}
