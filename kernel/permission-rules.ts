import type { ParsedCall, PermissionDecision } from './hooks/index.js'
import type { PermissionRule } from './protocol/index.js'

const cache = new Map<string, RegExp>()

/**
 * A glob as a regular expression. Patterns with a `/` are path globs (`*` stays within one path
 * segment, `**` crosses them); patterns without one (tool names, commands such as `git status*`)
 * let `*` match anything. A backslash makes the next character literal (`\*` is a star).
 */
export function globToRegExp(pattern: string): RegExp {
  let found = cache.get(pattern)
  if (found) return found
  const pathLike = pattern.includes('/')
  let source = ''
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]
    if (char === '\\' && i + 1 < pattern.length) {
      source += pattern[++i].replace(/[.*?+^${}()|[\]\\]/g, '\\$&')
    } else if (char === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/'
      source += slash ? '(?:.*/)?' : '.*'
      i += slash ? 2 : 1
    } else if (char === '*') source += pathLike ? '[^/]*' : '.*'
    else if (char === '?') source += pathLike ? '[^/]' : '.'
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  found = new RegExp(`^${source}$`)
  // Session rules grow with "always" answers: keep the cache bounded.
  if (cache.size >= 2_000) cache.clear()
  cache.set(pattern, found)
  return found
}

export function matchesGlob(value: string, pattern: string): boolean {
  return globToRegExp(pattern).test(value)
}

/** A glob that matches exactly `value` (its `*`, `?` and backslashes made literal). */
export function escapeGlob(value: string): string {
  return value.replace(/[\\*?]/g, '\\$&')
}

/** Within one list the LAST matching rule wins (broad rules first, exceptions after); undefined when none matches. */
export function decideByRules(rules: readonly PermissionRule[], call: Pick<ParsedCall, 'tool' | 'subject'>, source: string): PermissionDecision | undefined {
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i]
    if (!matchesGlob(call.tool, rule.tool)) continue
    if (rule.match !== undefined && !matchesGlob(call.subject, rule.match)) continue
    const what = rule.match ? `${rule.tool} ${rule.match}` : rule.tool
    return { action: rule.action, decidedBy: source, reason: `${source} rule "${what}: ${rule.action}"` }
  }
  return undefined
}
