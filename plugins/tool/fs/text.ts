import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'

/** How much of a file is inspected to decide whether it is text. */
export const SNIFF_BYTES = 8192

export interface Sniff {
  /** A NUL byte in the first 8 KiB. */
  nul: boolean
  /** The first 8 KiB are not valid UTF-8 (an incomplete character at the very end is fine). */
  invalidUtf8: boolean
}

export function sniffBuffer(buffer: Uint8Array): Sniff {
  const nul = buffer.includes(0)
  let invalidUtf8 = false
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buffer, { stream: true })
  } catch {
    invalidUtf8 = true
  }
  return { nul, invalidUtf8 }
}

export async function sniffFile(path: string): Promise<Sniff> {
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES)
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0)
    return sniffBuffer(buffer.subarray(0, bytesRead))
  } finally {
    await handle.close()
  }
}

export interface Line {
  /** The line without its line ending, cut to `maxChars`. */
  text: string
  /** How many characters were cut off (0 when the line is whole). */
  cut: number
}

export interface ReadLinesOptions {
  maxChars: number
  signal?: AbortSignal
}

/**
 * Stream the lines of a UTF-8 file. Memory stays bounded: a line longer than `maxChars` is kept
 * cut, only its length is counted. Breaking out of the loop closes the file.
 */
export async function* readLines(path: string, options: ReadLinesOptions): AsyncGenerator<Line> {
  const decoder = new TextDecoder('utf-8')
  let kept = ''
  let length = 0
  let endsWithCR = false
  const append = (part: string) => {
    if (part.length === 0) return
    if (kept.length <= options.maxChars) kept += part.slice(0, options.maxChars + 1 - kept.length)
    length += part.length
    endsWithCR = part.endsWith('\r')
  }
  const finish = (): Line => {
    const total = endsWithCR ? length - 1 : length
    const line = { text: kept.slice(0, Math.min(total, options.maxChars)), cut: Math.max(0, total - options.maxChars) }
    kept = ''
    length = 0
    endsWithCR = false
    return line
  }
  const stream = createReadStream(path, { highWaterMark: 64 * 1024, signal: options.signal })
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const decoded = decoder.decode(chunk, { stream: true })
    let start = 0
    for (let end = decoded.indexOf('\n'); end !== -1; end = decoded.indexOf('\n', start)) {
      append(decoded.slice(start, end))
      yield finish()
      start = end + 1
    }
    append(decoded.slice(start))
  }
  append(decoder.decode())
  if (length > 0) yield finish()
}

/** A line for the model: `   12| text`, with a note when it was cut. */
export function numberedLine(lineNumber: number, line: Line): string {
  const note = line.cut > 0 ? ` … [line cut, ${line.cut} more characters]` : ''
  return `${String(lineNumber).padStart(5)}| ${line.text}${note}`
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
  return `${(bytes / 1024 / 1024 / 1024).toFixed(1)} GiB`
}
