import type { protocol } from '../../../kernel/index.js'

/** The MCP content blocks this plugin reads (tool results, prompt messages); unknown kinds are noted, not dropped silently. */
export type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'image' | 'audio'; data: string; mimeType: string }
  | { type: 'resource_link'; uri: string; name: string; description?: string; mimeType?: string }
  | { type: 'resource'; resource: ResourceContents }
  | { type: string; [key: string]: unknown }

export interface ResourceContents {
  uri: string
  mimeType?: string
  text?: string
  blob?: string
}

export type Attachment = protocol.PostMessageBody extends { attachments?: Array<infer A> } ? A : never

const base64Bytes = (data: string) => Math.floor((data.replace(/=+$/, '').length * 3) / 4)

/** One block as text for the model: text as is, binary as a short note (the model gets no bytes). */
export function blockToText(block: ContentBlock): string {
  switch (block.type) {
    case 'text':
      return String(block.text)
    case 'image':
    case 'audio': {
      const b = block as { data: string; mimeType: string }
      return `[${block.type} ${b.mimeType}, ${base64Bytes(b.data)} bytes: not shown as text]`
    }
    case 'resource_link': {
      const b = block as { uri: string; name: string; description?: string }
      return `[resource link] ${b.name}: ${b.uri}${b.description ? ` (${b.description})` : ''}`
    }
    case 'resource': {
      const r = (block as { resource: ResourceContents }).resource
      if (typeof r.text === 'string') return `[resource ${r.uri}]\n${r.text}`
      return `[resource ${r.uri} (${r.mimeType ?? 'binary'}, ${base64Bytes(r.blob ?? '')} bytes): binary, not shown as text]`
    }
    default:
      return `[${block.type} content: not shown as text]`
  }
}

/** A tool result's content as the model-facing output. */
export function toolOutput(content: ContentBlock[], structured: unknown): string {
  const text = content.map(blockToText).join('\n')
  if (text) return text
  if (structured !== undefined) return JSON.stringify(structured, null, 2)
  return '(the tool returned no content)'
}

/** A resource's contents in the message attachment shape: `data` is always base64 (text is encoded as UTF-8). */
export function toAttachment(contents: ResourceContents, name?: string): Attachment {
  const data = typeof contents.text === 'string' ? Buffer.from(contents.text, 'utf8').toString('base64') : (contents.blob ?? '')
  const mimeType = contents.mimeType ?? (typeof contents.text === 'string' ? 'text/plain' : 'application/octet-stream')
  return { name: name ?? contents.uri.split('/').filter(Boolean).at(-1) ?? contents.uri, mimeType, data }
}
