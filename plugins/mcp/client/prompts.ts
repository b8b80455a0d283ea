import type { Prompt } from '@modelcontextprotocol/sdk/types.js'
import { PlatformError } from '../../../kernel/index.js'
import type { McpConnection } from './connection.js'
import { blockToText, toAttachment, type Attachment, type ContentBlock, type ResourceContents } from './content.js'
import { McpErrorCode } from './errors.js'

export interface RenderedPrompt {
  description?: string
  messages: Array<{ role: 'user' | 'assistant'; content: ContentBlock; text: string }>
  /** The messages as one user message: text (roles marked when the prompt has assistant turns) and binary parts as attachments. */
  asUserMessage: { text: string; attachments: Attachment[] }
}

export function findPrompt(connection: McpConnection, name: string): Prompt {
  const prompt = connection.listings.prompts.find((p) => p.name === name)
  if (!prompt) {
    const known = connection.listings.prompts.map((p) => p.name).join(', ') || 'none'
    throw new PlatformError(McpErrorCode.PROMPT_NOT_FOUND, `MCP server "${connection.name}" has no prompt "${name}". Its prompts: ${known}.`, {
      httpStatus: 404,
      details: { server: connection.name, prompt: name },
    })
  }
  return prompt
}

/** Required arguments present, unknown ones refused: the message says which, before the server is asked. */
export function checkArguments(prompt: Prompt, args: Record<string, string>): void {
  const declared = prompt.arguments ?? []
  const missing = declared.filter((a) => a.required && !(a.name in args)).map((a) => a.name)
  const unknown = Object.keys(args).filter((key) => !declared.some((a) => a.name === key))
  if (missing.length === 0 && unknown.length === 0) return
  const problems = [missing.length ? `missing required ${missing.join(', ')}` : '', unknown.length ? `unknown ${unknown.join(', ')}` : ''].filter(Boolean).join('; ')
  throw new PlatformError(McpErrorCode.PROMPT_ARGUMENTS_INVALID, `Arguments for prompt "${prompt.name}": ${problems}. It takes: ${declared.map((a) => `${a.name}${a.required ? ' (required)' : ''}`).join(', ') || 'no arguments'}.`, {
    httpStatus: 400,
    details: { prompt: prompt.name, missing, unknown },
  })
}

export async function renderPrompt(connection: McpConnection, name: string, args: Record<string, string>): Promise<RenderedPrompt> {
  checkArguments(findPrompt(connection, name), args)
  const result = await connection.request(`prompt ${name}`, (client, timeout) => client.getPrompt({ name, arguments: args }, { timeout }))
  const messages = result.messages.map((m) => ({ role: m.role, content: m.content as ContentBlock, text: blockToText(m.content as ContentBlock) }))
  const mixedRoles = messages.some((m) => m.role !== 'user')
  const texts: string[] = []
  const attachments: Attachment[] = []
  for (const message of messages) {
    const block = message.content
    if (block.type === 'image' || block.type === 'audio') {
      const b = block as { data: string; mimeType: string }
      attachments.push({ name: `${name}-${attachments.length + 1}.${b.mimeType.split('/')[1] ?? 'bin'}`, mimeType: b.mimeType, data: b.data })
      continue
    }
    if (block.type === 'resource' && typeof (block.resource as ResourceContents).blob === 'string') {
      attachments.push(toAttachment(block.resource as ResourceContents))
      continue
    }
    texts.push(mixedRoles ? `[${message.role}]\n${message.text}` : message.text)
  }
  const text = texts.join('\n\n') || `(prompt ${name} of ${connection.name})`
  return { ...(result.description ? { description: result.description } : {}), messages, asUserMessage: { text, attachments } }
}
