import type { CallbackPage } from './adapter.js'

const escape = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)

/** A small HTML page for the browser that hit the loopback callback. */
export function htmlPage(status: number, title: string, message: string): CallbackPage {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>
<body style="font-family:system-ui,sans-serif;margin:3rem auto;max-width:32rem;text-align:center">
<h1>${escape(title)}</h1><p>${escape(message)}</p></body></html>`
  return { status, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body }
}

export function defaultCallbackPage(outcome: 'success' | 'failure' | 'state_mismatch'): CallbackPage {
  if (outcome === 'success') return htmlPage(200, 'Authentication complete', 'Authorization finished. You can close this tab and return to Agent Platform.')
  if (outcome === 'state_mismatch') return htmlPage(400, 'Authentication failed', 'State mismatch: this callback does not belong to the pending login. Start the login again.')
  return htmlPage(400, 'Authentication failed', 'Authorization failed. Return to Agent Platform and try again.')
}
