import { KernelErrorCode, PlatformError } from '../errors.js'

/** A named collection of things with unique ids; `add()` returns a disposer. */
export interface Registry<T> {
  readonly name: string
  add(item: T): () => void
  get(id: string): T | undefined
  has(id: string): boolean
  list(): T[]
  ids(): string[]
  /** After freezing, add and remove throw, except on registries created `alwaysOpen` (tools, for MCP). */
  freeze(): void
  /** Notified on every add and remove. */
  onChange(listener: (change: { type: 'added' | 'removed'; item: T }) => void): () => void
}

export function defineRegistry<T>(name: string, idOf: (item: T) => string, options: { alwaysOpen?: boolean } = {}): Registry<T> {
  const items = new Map<string, T>()
  const listeners = new Set<(change: { type: 'added' | 'removed'; item: T }) => void>()
  let frozen = false
  const assertOpen = (action: string, id: string) => {
    if (frozen && !options.alwaysOpen) {
      throw new PlatformError(KernelErrorCode.REGISTRY_FROZEN, `Cannot ${action} "${id}" in the ${name} registry after boot.`, {
        details: { registry: name, id },
      })
    }
  }
  return {
    name,
    add(item) {
      const id = idOf(item)
      assertOpen('add', id)
      if (items.has(id)) {
        throw new PlatformError(KernelErrorCode.REGISTRY_DUPLICATE, `The ${name} registry already has "${id}"; ids must be unique.`, {
          details: { registry: name, id },
        })
      }
      items.set(id, item)
      for (const listener of listeners) listener({ type: 'added', item })
      return () => {
        if (items.get(id) !== item) return
        assertOpen('remove', id)
        items.delete(id)
        for (const listener of listeners) listener({ type: 'removed', item })
      }
    },
    get: (id) => items.get(id),
    has: (id) => items.has(id),
    list: () => [...items.values()],
    ids: () => [...items.keys()],
    freeze() {
      frozen = true
    },
    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
