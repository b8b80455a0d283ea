import { PlatformError } from '../../../kernel/index.js'
import { McpErrorCode } from './errors.js'

const escape = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)

/** The small HTML page the browser sees at the OAuth callback (no token or code in it, ever). */
export function callbackPage(ok: boolean, message: string): string {
  const title = ok ? 'MCP server authorized' : 'Authorization failed'
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>
<body style="font-family:system-ui,sans-serif;margin:3rem auto;max-width:32rem;text-align:center">
<h1>${escape(title)}</h1><p>${escape(message)}</p></body></html>`
}

/** What a client sends to finish a flow by hand (the browser could not reach this server's callback). */
export interface CompletionInput {
  code?: string
  /** The whole address the browser was sent to (it carries code= and state=). */
  redirectUrl?: string
}

const invalid = (code: string, message: string) => new PlatformError(code, message, { httpStatus: 400 })

/** The code, and the state when the input carries one; an `error` parameter means the user (or the server) refused. */
export function parseCompletion(input: CompletionInput): { code: string; state?: string } {
  if (input.redirectUrl) {
    let url: URL
    try {
      url = new URL(input.redirectUrl.trim())
    } catch {
      throw invalid(McpErrorCode.OAUTH_CODE_MISSING, 'redirectUrl is not a URL. Paste the full address the browser was sent to (it contains code= and state=).')
    }
    return fromParams({ code: url.searchParams.get('code'), state: url.searchParams.get('state'), error: url.searchParams.get('error'), errorDescription: url.searchParams.get('error_description') })
  }
  const code = input.code?.trim()
  if (!code) throw invalid(McpErrorCode.OAUTH_CODE_MISSING, 'Send {"code": "..."} or {"redirectUrl": "..."} (the full address the browser was sent to).')
  return { code }
}

/** The callback's query parameters as a code and state, or the refusal as an error. */
export function fromParams(params: { code?: string | null; state?: string | null; error?: string | null; errorDescription?: string | null }): { code: string; state?: string } {
  if (params.error) {
    const description = params.errorDescription ? ` (${params.errorDescription.slice(0, 200)})` : ''
    throw invalid(McpErrorCode.OAUTH_DENIED, `The authorization server returned "${params.error.slice(0, 80)}"${description} instead of a code. Start the authorization again.`)
  }
  if (!params.code) throw invalid(McpErrorCode.OAUTH_CODE_MISSING, 'The redirect has no code parameter. Use the address the browser was sent to after approving.')
  return { code: params.code, ...(params.state ? { state: params.state } : {}) }
}
