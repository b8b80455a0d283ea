import t, { type Test } from 'tap'
import { gzipSync } from 'node:zlib'
import { PlatformError } from '../../../kernel/index.js'
import { startServer, toolContext, webOptions, type TestServer } from './test-helpers.js'
import { createWebFetchTool } from './web-fetch.js'
import type { WebOptions } from './config.js'

const PAGE = `<!doctype html><html><head><title>Test page</title><script>alert(1)</script></head>
<body><h1>Hello</h1><p>See <a href="/docs/intro">the intro</a>.</p><ul><li>one</li><li>two</li></ul></body></html>`

let server: TestServer
/** Requests held open by slow routes, ended in teardown. */
const held: Array<() => void> = []

t.before(async () => {
  server = await startServer({
    '/page': (_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE),
    '/json': (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"a": [1, 2], "b": "<p>x</p>"}'),
    '/plain': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('just <b>text</b>\n'),
    '/latin1': (_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=iso-8859-1' }).end(Buffer.from('<p>caf\xe9</p>', 'latin1')),
    '/image': (_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0])),
    '/untyped-text': (_req, res) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end('# readme\nplain words'),
    '/untyped-html': (_req, res) => res.writeHead(200).end('<!DOCTYPE html><h2>Sniffed</h2>'),
    '/untyped-binary': (_req, res) => res.writeHead(200).end(Buffer.from([1, 2, 0, 3, 0, 4])),
    '/missing': (_req, res) => res.writeHead(404, { 'content-type': 'text/plain' }).end('nope'),
    '/fails': (_req, res) => res.writeHead(503).end(),
    '/big': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 300_000 }).end('x'.repeat(300_000)),
    '/big-chunked': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      for (let i = 0; i < 30; i++) res.write('y'.repeat(10_000))
      res.end()
    },
    '/gzip': (_req, res) => res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(gzipSync(PAGE)),
    '/gzip-bomb': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' }).end(gzipSync('z'.repeat(3_000_000))),
    '/long': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('abcdefghij'.repeat(500)),
    '/empty': (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><div id="app"></div><script>render()</script></body></html>'),
    '/echo': (req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(req.headers)),
    '/hang': (_req, res) => held.push(() => res.destroy()),
    '/trickle': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.write('first part ')
      held.push(() => res.destroy())
    },
    '/r1': (_req, res) => res.writeHead(302, { location: 'r2?x=1' }).end(),
    '/r2': (_req, res) => res.writeHead(301, { location: `${server.origin}/page` }).end(),
    '/loop': (_req, res) => res.writeHead(307, { location: '/loop' }).end(),
    '/to-ftp': (_req, res) => res.writeHead(302, { location: 'ftp://example.com/file' }).end(),
  })
})

t.teardown(async () => {
  for (const end of held) end()
  await server.close()
})

function tool(options: Partial<WebOptions> = {}) {
  return createWebFetchTool(webOptions({ allowHosts: ['127.0.0.1'], ...options }))
}

async function fetchArgs(args: { url: string; format?: 'markdown' | 'text' | 'html'; timeout_ms?: number }, options: Partial<WebOptions> = {}) {
  const webFetch = tool(options)
  return webFetch.execute(webFetch.inputSchema.parse(args), toolContext())
}

async function rejectsWith(t: Test, promise: Promise<unknown>, code: string, message?: RegExp): Promise<PlatformError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  t.type(error, PlatformError, `rejects with a PlatformError (${code})`)
  t.equal((error as PlatformError).code, code)
  if (message) t.match((error as PlatformError).message, message)
  return error as PlatformError
}

t.test('converts an HTML page to markdown with absolute links and returns the title', async (t) => {
  const ctx = toolContext()
  const webFetch = tool()
  const result = await webFetch.execute(webFetch.inputSchema.parse({ url: `${server.origin}/page` }), ctx)
  t.equal(result.output, `# Hello\n\nSee [the intro](${server.origin}/docs/intro).\n\n- one\n- two`)
  t.equal(result.title, `Test page (${server.origin}/page)`)
  t.match(result.metadata, { status: 200, contentType: 'text/html', finalUrl: `${server.origin}/page`, redirects: [], truncated: false })
  t.notOk(result.isError)
  t.match(ctx.progress, [{ message: `Fetching ${server.origin}/page` }])
})

t.test('format text gives plain text; format html gives the page as sent', async (t) => {
  t.equal((await fetchArgs({ url: `${server.origin}/page`, format: 'text' })).output, 'Hello\n\nSee the intro.\n\n- one\n- two')
  t.equal((await fetchArgs({ url: `${server.origin}/page`, format: 'html' })).output, PAGE)
})

t.test('JSON and plain text come back as they are, whatever the format', async (t) => {
  t.equal((await fetchArgs({ url: `${server.origin}/json` })).output, '{"a": [1, 2], "b": "<p>x</p>"}')
  t.equal((await fetchArgs({ url: `${server.origin}/plain`, format: 'text' })).output, 'just <b>text</b>\n')
})

t.test('decodes the declared charset and gzip-encoded bodies', async (t) => {
  t.equal((await fetchArgs({ url: `${server.origin}/latin1` })).output, 'café')
  t.equal((await fetchArgs({ url: `${server.origin}/gzip` })).output, `# Hello\n\nSee [the intro](${server.origin}/docs/intro).\n\n- one\n- two`)
})

t.test('binary types are refused with a clear message; undeclared bodies are sniffed', async (t) => {
  await rejectsWith(t, fetchArgs({ url: `${server.origin}/image` }), 'TOOL_WEB_UNSUPPORTED_TYPE', /of type image\/png.*HTML, JSON and other text only/)
  await rejectsWith(t, fetchArgs({ url: `${server.origin}/untyped-binary` }), 'TOOL_WEB_UNSUPPORTED_TYPE', /binary data/)
  t.equal((await fetchArgs({ url: `${server.origin}/untyped-text` })).output, '# readme\nplain words')
  t.equal((await fetchArgs({ url: `${server.origin}/untyped-html` })).output, '## Sniffed')
})

t.test('HTTP error statuses become TOOL_WEB_HTTP_ERROR with the status and a hint', async (t) => {
  const notFound = await rejectsWith(t, fetchArgs({ url: `${server.origin}/missing` }), 'TOOL_WEB_HTTP_ERROR', /HTTP 404 Not Found\. The page does not exist/)
  t.equal(notFound.details?.status, 404)
  await rejectsWith(t, fetchArgs({ url: `${server.origin}/fails` }), 'TOOL_WEB_HTTP_ERROR', /HTTP 503.*try/)
})

t.test('bodies over maxDownloadBytes fail with TOOL_WEB_TOO_LARGE (declared, chunked or decompressed)', async (t) => {
  const caps = { maxDownloadBytes: 100_000 }
  await rejectsWith(t, fetchArgs({ url: `${server.origin}/big` }, caps), 'TOOL_WEB_TOO_LARGE', /100000 byte download limit \(tool-web maxDownloadBytes\)/)
  await rejectsWith(t, fetchArgs({ url: `${server.origin}/big-chunked` }, caps), 'TOOL_WEB_TOO_LARGE')
  await rejectsWith(t, fetchArgs({ url: `${server.origin}/gzip-bomb` }, { maxDownloadBytes: 1_000_000 }), 'TOOL_WEB_TOO_LARGE')
  t.equal((await fetchArgs({ url: `${server.origin}/big` }, { maxDownloadBytes: 300_000, maxOutputChars: 100 })).metadata?.bytes, 300_000)
})

t.test('output over maxOutputChars is cut with a note', async (t) => {
  const result = await fetchArgs({ url: `${server.origin}/long` }, { maxOutputChars: 1000 })
  t.equal(result.output.slice(0, 1000), 'abcdefghij'.repeat(100))
  t.match(result.output.slice(1000), /^\n\n\[Truncated: showing the first 1000 of 5000 characters\./)
  t.match(result.metadata, { truncated: true, chars: 5000 })
})

t.test('a page with no readable text says so', async (t) => {
  t.match((await fetchArgs({ url: `${server.origin}/empty` })).output, /no readable text.*JavaScript/)
})

t.test('sends the configured User-Agent, the right Host header and asks for compression', async (t) => {
  const headers = JSON.parse((await fetchArgs({ url: `${server.origin}/echo` }, { userAgent: 'test-agent/1' })).output) as Record<string, string>
  t.equal(headers['user-agent'], 'test-agent/1')
  t.equal(headers.host, `127.0.0.1:${server.port}`)
  t.match(headers['accept-encoding'], /gzip/)
})

t.test('follows relative and absolute redirects, and names the final URL', async (t) => {
  const result = await fetchArgs({ url: `${server.origin}/r1` })
  t.match(result.output, new RegExp(`^Redirected to ${server.origin}/page\n\n# Hello`))
  t.same(result.metadata?.redirects, [`${server.origin}/r2?x=1`, `${server.origin}/page`])
})

t.test('stops after maxRedirects and refuses redirects to other schemes', async (t) => {
  const before = server.hits.filter((hit) => hit === '/loop').length
  await rejectsWith(t, fetchArgs({ url: `${server.origin}/loop` }), 'TOOL_WEB_TOO_MANY_REDIRECTS', /more than 5 times/)
  t.equal(server.hits.filter((hit) => hit === '/loop').length - before, 6, 'the first request and 5 redirects')
  await rejectsWith(t, fetchArgs({ url: `${server.origin}/loop` }, { maxRedirects: 0 }), 'TOOL_WEB_TOO_MANY_REDIRECTS')
  await rejectsWith(t, fetchArgs({ url: `${server.origin}/to-ftp` }), 'TOOL_WEB_INVALID_URL', /Only http:\/\/ and https:\/\//)
})

t.test('times out while waiting for headers and while reading the body', async (t) => {
  let started = Date.now()
  await rejectsWith(t, fetchArgs({ url: `${server.origin}/hang`, timeout_ms: 300 }), 'TOOL_WEB_TIMEOUT', /longer than 300 ms/)
  t.ok(Date.now() - started < 3_000, 'promptly')
  started = Date.now()
  await rejectsWith(t, fetchArgs({ url: `${server.origin}/trickle`, timeout_ms: 300 }), 'TOOL_WEB_TIMEOUT')
  t.ok(Date.now() - started < 3_000, 'promptly')
})

t.test('timeout_ms is lowered to maxTimeoutMs, and timeoutMs is the default', async (t) => {
  const started = Date.now()
  await rejectsWith(t, fetchArgs({ url: `${server.origin}/hang`, timeout_ms: 60_000 }, { timeoutMs: 200, maxTimeoutMs: 400 }), 'TOOL_WEB_TIMEOUT', /400 ms/)
  t.ok(Date.now() - started < 3_000)
  await rejectsWith(t, fetchArgs({ url: `${server.origin}/hang` }, { timeoutMs: 200, maxTimeoutMs: 400 }), 'TOOL_WEB_TIMEOUT', /200 ms/)
})

t.test('the abort signal stops a fetch at once, before and during the body', async (t) => {
  for (const path of ['/hang', '/trickle']) {
    const webFetch = tool()
    const ctx = toolContext()
    const started = Date.now()
    setTimeout(() => ctx.controller.abort(), 100)
    await rejectsWith(t, webFetch.execute(webFetch.inputSchema.parse({ url: `${server.origin}${path}` }), ctx), 'TOOL_WEB_ABORTED')
    t.ok(Date.now() - started < 2_000, `${path}: promptly`)
  }
  const webFetch = tool()
  const ctx = toolContext()
  ctx.controller.abort()
  await rejectsWith(t, webFetch.execute(webFetch.inputSchema.parse({ url: `${server.origin}/page` }), ctx), 'TOOL_WEB_ABORTED')
})

t.test('connection failures are reported as TOOL_WEB_CONNECT_FAILED', async (t) => {
  const closed = await startServer({})
  await closed.close()
  await rejectsWith(t, fetchArgs({ url: `${closed.origin}/` }), 'TOOL_WEB_CONNECT_FAILED', /ECONNREFUSED/)
})
