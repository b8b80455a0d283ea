import type { IncomingMessage } from 'node:http'
import { z } from 'zod'
import { defineTool, isPlatformError, type ToolContext, type ToolResult } from '../../../kernel/index.js'
import { AddressPolicy } from './address-policy.js'
import { decodeText, kindOfType, parseContentType, readBody, sniffKind } from './body.js'
import type { WebOptions } from './config.js'
import { Deadline } from './deadline.js'
import { WebErrorCode, webError } from './errors.js'
import { renderHtml } from './html-render.js'
import { guardedGet } from './http-client.js'
import { parseFetchUrl, systemResolver, type HostResolver } from './ssrf-guard.js'
import { webFetchPrompt } from './web-fetch.prompt.js'

export interface WebFetchDeps {
  /** DNS resolution (tests pass a fake); defaults to the system resolver. */
  resolve?: HostResolver
}

interface FetchEnv {
  options: WebOptions
  policy: AddressPolicy
  resolve: HostResolver
}

function inputSchemaFor(options: WebOptions) {
  return z
    .object({
      url: z.string().min(1).describe('The absolute http:// or https:// URL to fetch.'),
      format: z
        .enum(['markdown', 'text', 'html'])
        .default('markdown')
        .describe('How an HTML page is returned: markdown (default), plain text, or the raw HTML. Other content types come back as they are.'),
      timeout_ms: z
        .number()
        .int()
        .positive()
        .optional()
        .describe(`Time limit for the whole fetch in milliseconds (default ${options.timeoutMs}, at most ${options.maxTimeoutMs}).`),
    })
    .strict()
}

type WebFetchArgs = z.output<ReturnType<typeof inputSchemaFor>>

const STATUS_HINTS: Array<[(status: number) => boolean, string]> = [
  [(s) => s === 404 || s === 410, 'The page does not exist; check the URL.'],
  [(s) => s === 401 || s === 403, 'The site refuses access: it may need a login or block automated clients.'],
  [(s) => s === 429, 'The site is rate limiting; wait before trying again.'],
  [(s) => s >= 500, 'The server failed; trying again later may work.'],
]

function httpError(url: URL, response: IncomingMessage): Error {
  const status = response.statusCode ?? 0
  response.destroy()
  const hint = STATUS_HINTS.find(([matches]) => matches(status))?.[1] ?? 'The request was not answered with content.'
  return webError(WebErrorCode.HTTP_ERROR, `${url.href} answered HTTP ${status} ${response.statusMessage ?? ''}`.trimEnd() + `. ${hint}`, {
    url: url.href,
    status,
  })
}

function unsupported(url: URL, mime: string): Error {
  return webError(
    WebErrorCode.UNSUPPORTED_TYPE,
    `${url.href} is ${mime ? `of type ${mime}` : 'binary data'}, which web_fetch cannot return: it returns HTML, JSON and other text only.`,
    { url: url.href, contentType: mime },
  )
}

/** Cuts text to `max` characters (never inside a surrogate pair) with a note saying so. */
function capOutput(text: string, max: number): { text: string; truncated: boolean } {
  if (text.length <= max) return { text, truncated: false }
  const end = /[\ud800-\udbff]/.test(text[max - 1]) ? max - 1 : max
  const note = `\n\n[Truncated: showing the first ${end} of ${text.length} characters. Fetch a more specific URL to see the rest.]`
  return { text: text.slice(0, end) + note, truncated: true }
}

async function fetchPage(args: WebFetchArgs, ctx: ToolContext, env: FetchEnv, deadline: Deadline): Promise<ToolResult> {
  const requested = parseFetchUrl(args.url)
  ctx.reportProgress({ message: `Fetching ${requested.href}` })
  const { url, redirects, response } = await guardedGet(requested, {
    policy: env.policy,
    resolve: env.resolve,
    maxRedirects: env.options.maxRedirects,
    signal: deadline.signal,
    headers: {
      'user-agent': env.options.userAgent,
      accept: 'text/html,application/xhtml+xml,text/markdown;q=0.9,text/plain;q=0.9,application/json;q=0.8,*/*;q=0.5',
      'accept-encoding': 'gzip, deflate, br',
    },
  })
  const status = response.statusCode ?? 0
  if (status < 200 || status >= 300) throw httpError(url, response)
  const contentType = parseContentType(response.headers['content-type'])
  const declared = kindOfType(contentType.mime)
  if (declared === 'binary') {
    response.destroy()
    throw unsupported(url, contentType.mime)
  }
  const bytes = await readBody(response, { url: url.href, maxBytes: env.options.maxDownloadBytes, signal: deadline.signal })
  const kind = declared ?? sniffKind(bytes)
  if (kind === 'binary') throw unsupported(url, contentType.mime)
  const decoded = decodeText(bytes, contentType, kind)
  const page = kind === 'html' && args.format !== 'html' ? renderHtml(decoded, { format: args.format, url: url.href }) : { text: decoded }
  const body = page.text.trim() ? page.text : '(The response has no readable text. The page may build its content with JavaScript.)'
  const moved = redirects.length > 0 ? `Redirected to ${url.href}\n\n` : ''
  const { text, truncated } = capOutput(moved + body, env.options.maxOutputChars)
  const title = 'title' in page && page.title ? `${page.title} (${url.href})` : url.href
  return {
    output: text,
    title,
    metadata: { url: requested.href, finalUrl: url.href, redirects, status, contentType: contentType.mime || undefined, bytes: bytes.length, chars: body.length, truncated },
  }
}

/** Maps what ended a failed fetch to an error the model can act on. */
function explain(error: unknown, deadline: Deadline, url: string): unknown {
  if (isPlatformError(error)) return error
  if (deadline.timedOut) {
    return webError(
      WebErrorCode.TIMEOUT,
      `Fetching ${url} took longer than ${deadline.ms} ms and was stopped. Try again with a larger timeout_ms or a lighter URL.`,
      { url, timeoutMs: deadline.ms },
    )
  }
  if (deadline.aborted) return webError(WebErrorCode.ABORTED, `Fetching ${url} was aborted.`, { url })
  const reason = error instanceof Error ? error.message : String(error)
  return webError(WebErrorCode.CONNECT_FAILED, `The response from ${url} broke off: ${reason}.`, { url }, error)
}

/** The web_fetch tool with its SSRF guard, caps and HTML conversion configured. */
export function createWebFetchTool(options: WebOptions, deps: WebFetchDeps = {}) {
  const env: FetchEnv = { options, policy: new AddressPolicy(options.allowHosts), resolve: deps.resolve ?? systemResolver }
  return defineTool({
    name: 'web_fetch',
    description: webFetchPrompt(options),
    kind: 'fetch',
    inputSchema: inputSchemaFor(options),
    subject: (args) => args.url,
    // Our own deadline ends the call first; the kernel's limit is the backstop.
    timeoutMs: options.maxTimeoutMs + 5_000,
    async execute(args, ctx) {
      const deadline = new Deadline(ctx.abortSignal, Math.min(args.timeout_ms ?? options.timeoutMs, options.maxTimeoutMs))
      try {
        return await fetchPage(args, ctx, env, deadline)
      } catch (error) {
        throw explain(error, deadline, args.url)
      } finally {
        deadline.clear()
      }
    },
  })
}
