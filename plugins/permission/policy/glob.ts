const cache = new Map<string, RegExp>()

/**
 * A glob as a regular expression. Patterns with a `/` are path globs (`*` stays within one path
 * segment, `**` crosses them); patterns without one (tool names, commands such as `git status*`)
 * let `*` match anything.
 */
export function globToRegExp(pattern: string): RegExp {
  let found = cache.get(pattern)
  if (found) return found
  const pathLike = pattern.includes('/')
  let source = ''
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]
    if (char === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/'
      source += slash ? '(?:.*/)?' : '.*'
      i += slash ? 2 : 1
    } else if (char === '*') source += pathLike ? '[^/]*' : '.*'
    else if (char === '?') source += pathLike ? '[^/]' : '.'
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  found = new RegExp(`^${source}$`)
  cache.set(pattern, found)
  return found
}

export function matchesGlob(value: string, pattern: string): boolean {
  return globToRegExp(pattern).test(value)
}
