import type { Ids } from '../ports/types.js'
import type { MessageInfo } from '../protocol/index.js'

/**
 * Copies of messages for another session: new message and part ids, same turns, times and content.
 * A compaction's lists of replaced and kept messages are rewritten to the new ids.
 */
export function copyMessages(messages: MessageInfo[], sessionId: string, ids: Ids): MessageInfo[] {
  const renamed = new Map(messages.map((m) => [m.id, ids.next('msg')]))
  const rename = (list: unknown) => (Array.isArray(list) ? list.map((id) => renamed.get(String(id))).filter((id) => id !== undefined) : list)
  return messages.map((message) => {
    const id = renamed.get(message.id)!
    const copy: MessageInfo = structuredClone({ ...message, id, sessionId })
    copy.parts = copy.parts.map((part) => {
      const data = part.kind === 'compaction' ? { ...part.data, replaced: rename(part.data.replaced), kept: rename(part.data.kept) } : part.data
      return { ...part, id: ids.next('prt'), messageId: id, data }
    })
    return copy
  })
}
