import type { ChatContent, ChatMessage, ToolSpec } from '../../../kernel/index.js'
import { wantsSyntheticSignatures } from './models.js'

/** A Gemini `Part` as this provider writes and reads it. */
export interface GeminiPart {
  text?: string
  thought?: boolean
  thoughtSignature?: string
  functionCall?: { name: string; args: unknown; id?: string }
  functionResponse?: { name: string; response: Record<string, unknown>; id?: string }
}

export interface GeminiContent {
  role: 'user' | 'model'
  parts: GeminiPart[]
}

/** The placeholder gemini-cli signs a function call with when the model gave none. */
export const SYNTHETIC_SIGNATURE = 'skip_thought_signature_validator'

/** The provider id under which this plugin's signatures are stored on reasoning parts. */
export const PROVIDER_ID = 'gemini'

const isText = (part: GeminiPart | undefined): part is GeminiPart & { text: string } =>
  part !== undefined && typeof part.text === 'string' && !part.thought && !part.functionCall && !part.functionResponse

/**
 * An assistant message as gemini-cli records a model turn: thought parts are left out, signatures stay
 * on the part they came with, and text parts are joined (a part with a signature keeps it only when it
 * starts a run of text, as gemini-cli's consolidation does). A reasoning part with no text and this
 * provider's signature is the carrier the stream mapper emits for a signed text part: the signature goes
 * back onto the text just before it, or becomes its own part.
 */
function modelParts(content: ChatContent[]): GeminiPart[] {
  const parts: GeminiPart[] = []
  let previous: ChatContent | undefined
  for (const item of content) {
    if (item.type === 'text') parts.push({ text: item.text })
    else if (item.type === 'tool-call') {
      const signature = typeof item.meta?.thoughtSignature === 'string' ? item.meta.thoughtSignature : undefined
      parts.push({ functionCall: { name: item.tool, args: item.input ?? {}, id: item.callId }, ...(signature ? { thoughtSignature: signature } : {}) })
    } else if (item.type === 'reasoning' && item.text === '' && item.signature && (item.providerId ?? PROVIDER_ID) === PROVIDER_ID) {
      const last = parts[parts.length - 1]
      if (previous?.type === 'text' && isText(last) && !last.thoughtSignature) last.thoughtSignature = item.signature
      else parts.push({ text: '', thoughtSignature: item.signature })
    }
    previous = item
  }
  const joined: GeminiPart[] = []
  for (const part of parts) {
    const last = joined[joined.length - 1]
    if (isText(last) && last.text !== '' && isText(part)) last.text += part.text
    else joined.push(part)
  }
  return joined
}

function toolParts(content: ChatContent[]): GeminiPart[] {
  return content.flatMap((item): GeminiPart[] =>
    item.type === 'tool-result'
      ? [{ functionResponse: { name: item.tool, response: item.isError ? { error: item.output } : { output: item.output }, id: item.callId } }]
      : [],
  )
}

function toContent(message: ChatMessage): GeminiContent {
  if (message.role === 'assistant') return { role: 'model', parts: modelParts(message.content) }
  if (message.role === 'tool') return { role: 'user', parts: toolParts(message.content) }
  const parts = message.content.flatMap((item): GeminiPart[] => (item.type === 'text' ? [{ text: item.text }] : item.type === 'tool-result' ? toolParts([item]) : []))
  return { role: 'user', parts }
}

/**
 * gemini-cli requires a signature on the first function call of every model turn since the last user
 * text: where the model gave none it sends the synthetic one.
 */
function signActiveLoop(contents: GeminiContent[]): void {
  let start = -1
  for (let i = contents.length - 1; i >= 0; i--) {
    const { role, parts } = contents[i]
    if (role === 'user' && parts.some((p) => p.text) && !parts.some((p) => p.functionResponse)) {
      start = i
      break
    }
  }
  if (start < 0) return
  for (const content of contents.slice(start)) {
    if (content.role !== 'model') continue
    const call = content.parts.find((p) => p.functionCall)
    if (call && !call.thoughtSignature) call.thoughtSignature = SYNTHETIC_SIGNATURE
  }
}

/** Empty text is dropped from a part that carries something else, and empty parts are dropped. */
function tidy(part: GeminiPart): GeminiPart | null {
  const others = Object.keys(part).some((key) => key !== 'text' && key !== 'thought')
  if (part.text === '' && others) {
    const { text: _text, ...rest } = part
    return rest
  }
  return part.text === '' && !others ? null : part
}

/** ChatMessage[] -> Gemini `contents`: roles user/model, consecutive same roles merged, as gemini-cli sends them. */
export function toContents(messages: ChatMessage[], model: string): GeminiContent[] {
  const merged: GeminiContent[] = []
  for (const message of messages) {
    const content = toContent(message)
    const last = merged[merged.length - 1]
    if (last && last.role === content.role) last.parts.push(...content.parts)
    else merged.push(content)
  }
  if (wantsSyntheticSignatures(model)) signActiveLoop(merged)
  return merged
    .map((content) => ({ role: content.role, parts: content.parts.map(tidy).filter((p): p is GeminiPart => p !== null) }))
    .filter((content) => content.parts.length > 0)
}

/** Tools as gemini-cli declares them: one `functionDeclarations` list with JSON-schema parameters. */
export function toTools(tools: ToolSpec[]): Array<{ functionDeclarations: Array<Record<string, unknown>> }> | undefined {
  if (tools.length === 0) return undefined
  return [{ functionDeclarations: tools.map((tool) => ({ name: tool.name, description: tool.description, parametersJsonSchema: tool.inputSchema })) }]
}

/** The system prompt as a Content, the shape both the SDK and gemini-cli's Code Assist converter produce. */
export function toSystemInstruction(system: string): GeminiContent | undefined {
  return system ? { role: 'user', parts: [{ text: system }] } : undefined
}
