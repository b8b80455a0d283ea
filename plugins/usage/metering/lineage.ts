import type { SessionStore } from '../../../kernel/index.js'

export interface Lineage {
  /** From the parent up to the root; empty for a root session. */
  ancestorIds: string[]
  rootId: string
}

/**
 * A session's ancestors, read from the session store once per session (a session's parent never
 * changes). A missing parent ends the chain there (it was deleted, or never stored).
 */
export function createLineage(store: () => Pick<SessionStore, 'getSession'>) {
  const known = new Map<string, Lineage>()
  return async function lineageOf(sessionId: string): Promise<Lineage> {
    const cached = known.get(sessionId)
    if (cached) return cached
    const ancestors: string[] = []
    let current = (await store().getSession(sessionId))?.parentId ?? null
    while (current && !ancestors.includes(current) && ancestors.length < 64) {
      const parentLineage = known.get(current)
      if (parentLineage) {
        ancestors.push(current, ...parentLineage.ancestorIds)
        break
      }
      ancestors.push(current)
      current = (await store().getSession(current))?.parentId ?? null
    }
    const lineage = { ancestorIds: ancestors, rootId: ancestors.at(-1) ?? sessionId }
    if (known.size > 10_000) known.clear()
    known.set(sessionId, lineage)
    return lineage
  }
}
