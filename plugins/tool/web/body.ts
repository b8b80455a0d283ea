import type { IncomingMessage } from 'node:http'
import { pipeline, type Readable } from 'node:stream'
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib'
import { WebErrorCode, webError } from './errors.js'

/** How a body is handled: HTML is converted, text returned as is, binary refused. */
export type BodyKind = 'html' | 'text' | 'binary'

export interface ContentType {
  mime: string
  charset?: string
}

const TEXT_TYPES = new Set([
  'application/json',
  'application/xml',
  'application/javascript',
  'application/ecmascript',
  'application/x-javascript',
  'application/yaml',
  'application/x-yaml',
  'application/toml',
  'application/x-ndjson',
  'application/graphql',
  'application/sql',
  'application/x-sh',
  'application/x-www-form-urlencoded',
])

export function parseContentType(header: string | undefined): ContentType {
  const [mime = '', ...params] = (header ?? '').split(';')
  const charset = params.map((p) => /^\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(p)?.[1]).find(Boolean)
  return { mime: mime.trim().toLowerCase(), charset: charset?.toLowerCase() }
}

/** The kind a declared type means; undefined when the body must be sniffed (none, octet-stream). */
export function kindOfType(mime: string): BodyKind | undefined {
  if (mime === '' || mime === 'application/octet-stream') return undefined
  if (mime === 'text/html' || mime === 'application/xhtml+xml') return 'html'
  if (mime.startsWith('text/') || TEXT_TYPES.has(mime) || mime.endsWith('+json') || mime.endsWith('+xml')) return 'text'
  return 'binary'
}

/** Guesses the kind of an undeclared body from its first bytes. */
export function sniffKind(bytes: Buffer): BodyKind {
  const head = bytes.subarray(0, 8192)
  if (head.includes(0) || head.subarray(0, 5).toString('latin1') === '%PDF-') return 'binary'
  let control = 0
  for (const byte of head) if (byte < 9 || (byte > 13 && byte < 32)) control++
  if (head.length > 0 && control / head.length > 0.1) return 'binary'
  return /^\s*<(!doctype\s+html|html|head|body)[\s>]/i.test(head.toString('latin1')) ? 'html' : 'text'
}

function decoderFor(encoding: string): ReturnType<typeof createGunzip> | undefined {
  if (encoding === 'gzip' || encoding === 'x-gzip') return createGunzip()
  if (encoding === 'deflate') return createInflate()
  if (encoding === 'br') return createBrotliDecompress()
  return undefined
}

function tooLarge(url: string, maxBytes: number): Error {
  return webError(
    WebErrorCode.TOO_LARGE,
    `The response from ${url} is larger than the ${maxBytes} byte download limit (tool-web maxDownloadBytes). ` +
      'Fetch a smaller page, or a more specific URL (an API endpoint, a raw file, one section).',
    { url, maxBytes },
  )
}

/** Reads the (decompressed) body, stopping with TOOL_WEB_TOO_LARGE past `maxBytes`; aborts with `signal`. */
export async function readBody(response: IncomingMessage, options: { url: string; maxBytes: number; signal: AbortSignal }): Promise<Buffer> {
  if (options.signal.aborted) {
    response.destroy()
    throw options.signal.reason
  }
  const encoding = String(response.headers['content-encoding'] ?? 'identity').trim().toLowerCase()
  const declared = Number(response.headers['content-length'])
  if ((encoding === 'identity' || encoding === '') && declared > options.maxBytes) {
    response.destroy()
    throw tooLarge(options.url, options.maxBytes)
  }
  let stream: Readable = response
  if (encoding !== 'identity' && encoding !== '') {
    const decoder = decoderFor(encoding)
    if (!decoder) {
      response.destroy()
      throw webError(WebErrorCode.UNSUPPORTED_TYPE, `The response from ${options.url} uses the unsupported content encoding "${encoding}".`, {
        url: options.url,
        encoding,
      })
    }
    stream = pipeline(response, decoder, () => undefined)
  }
  const onAbort = () => stream.destroy(options.signal.reason as Error)
  options.signal.addEventListener('abort', onAbort, { once: true })
  const chunks: Buffer[] = []
  let total = 0
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length
      if (total > options.maxBytes) throw tooLarge(options.url, options.maxBytes)
      chunks.push(chunk)
    }
  } finally {
    options.signal.removeEventListener('abort', onAbort)
    stream.destroy()
    response.destroy()
  }
  return Buffer.concat(chunks)
}

/** Decodes text by the declared charset, else an HTML meta charset, else UTF-8. */
export function decodeText(bytes: Buffer, contentType: ContentType, kind: BodyKind): string {
  let charset = contentType.charset
  if (!charset && kind === 'html') {
    charset = /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(bytes.subarray(0, 4096).toString('latin1'))?.[1]
  }
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes)
  } catch {
    return new TextDecoder('utf-8').decode(bytes)
  }
}
