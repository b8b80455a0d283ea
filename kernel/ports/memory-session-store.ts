import type { MessageInfo, SessionInfo } from '../protocol/index.js'
import type { SessionListFilter, SessionStore } from './types.js'

const copy = <T>(value: T): T => structuredClone(value)

/** Default sessionStore: plain maps, lost on restart. persistence-postgres replaces it. */
export function createMemorySessionStore(): SessionStore {
  const sessions = new Map<string, SessionInfo>()
  const messages = new Map<string, MessageInfo[]>()
  return {
    async createSession(session) {
      sessions.set(session.id, copy(session))
    },
    async getSession(id) {
      const found = sessions.get(id)
      return found ? copy(found) : null
    },
    async listSessions(filter: SessionListFilter = {}) {
      let list = [...sessions.values()]
      if (filter.parentId !== undefined) list = list.filter((s) => s.parentId === filter.parentId)
      if (filter.ownerId !== undefined) list = list.filter((s) => s.ownerId === filter.ownerId)
      if (filter.status !== undefined) list = list.filter((s) => s.status === filter.status)
      if (filter.agent !== undefined) list = list.filter((s) => s.agent === filter.agent)
      list.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0))
      return list.slice(0, filter.limit ?? 100).map(copy)
    },
    async updateSession(id, patch) {
      const found = sessions.get(id)
      if (!found) return null
      const patched = { ...found, ...copy(patch) }
      sessions.set(id, patched)
      return copy(patched)
    },
    async saveMessage(message) {
      const list = messages.get(message.sessionId) ?? []
      const index = list.findIndex((m) => m.id === message.id)
      if (index === -1) list.push(copy(message))
      else list[index] = copy(message)
      messages.set(message.sessionId, list)
    },
    async listMessages(sessionId) {
      return (messages.get(sessionId) ?? []).map(copy)
    },
    async deleteSession(id) {
      messages.delete(id)
      return sessions.delete(id)
    },
  }
}
