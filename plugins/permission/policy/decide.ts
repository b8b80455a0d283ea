import type { ParsedCall, PermissionDecision, PermissionRule } from '../../../kernel/index.js'
import { matchesGlob } from './glob.js'

/** Within one list the LAST matching rule wins (broad rules first, exceptions after). */
export function decideByRules(rules: readonly PermissionRule[], call: ParsedCall, source: string): PermissionDecision | undefined {
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i]
    if (!matchesGlob(call.tool, rule.tool)) continue
    if (rule.match !== undefined && !matchesGlob(call.subject, rule.match)) continue
    const what = rule.match ? `${rule.tool} ${rule.match}` : rule.tool
    return { action: rule.action, decidedBy: source, reason: `${source} rule "${what}: ${rule.action}"` }
  }
  return undefined
}

const ENV_FILE = /(^|\/)\.env(\.[^/]*)?$/

/** `.env` and `.env.*` files are secrets; `.env.example` is not. */
export function isEnvFile(subject: string): boolean {
  return ENV_FILE.test(subject) && !/(^|\/)\.env\.example$/.test(subject)
}
