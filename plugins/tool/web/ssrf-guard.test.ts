import t, { type Test } from 'tap'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { PlatformError } from '../../../kernel/index.js'
import type { WebOptions } from './config.js'
import type { HostResolver } from './ssrf-guard.js'
import { startServer, toolContext, webOptions, type TestServer } from './test-helpers.js'
import { createWebFetchTool } from './web-fetch.js'

let server: TestServer

t.before(async () => {
  server = await startServer({
    '/ok': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('reached'),
    '/host': (req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(String(req.headers.host)),
    '/redirect': (req, res) => {
      const to = new URL(req.url ?? '/', 'http://x').searchParams.get('to') ?? '/'
      res.writeHead(302, { location: to }).end()
    },
  })
})
t.teardown(() => server.close())

/** A resolver that answers from a table and counts its calls. */
function fakeResolver(table: Record<string, string[] | (() => string[])>): HostResolver & { calls: string[] } {
  const calls: string[] = []
  const resolve = async (hostname: string) => {
    calls.push(hostname)
    const entry = table[hostname]
    if (!entry) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
    const addresses = typeof entry === 'function' ? entry() : entry
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
  }
  return Object.assign(resolve, { calls })
}

async function run(url: string, options: Partial<WebOptions> = {}, resolve?: HostResolver) {
  const tool = createWebFetchTool(webOptions(options), { resolve })
  return tool.execute(tool.inputSchema.parse({ url }), toolContext())
}

async function refused(t: Test, url: string, pattern: RegExp, options: Partial<WebOptions> = {}, resolve?: HostResolver) {
  const error = await run(url, options, resolve).then(
    () => undefined,
    (e: unknown) => e,
  )
  t.type(error, PlatformError, url)
  t.equal((error as PlatformError).code, 'TOOL_WEB_BLOCKED_ADDRESS', `${url} is blocked`)
  t.match((error as PlatformError).message, pattern, `${url}: the message names the address class`)
  t.match((error as PlatformError).message, /allowHosts/, 'and says how an administrator can allow it')
}

t.test('literal addresses of every blocked class are refused before connecting', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['http://127.0.0.1/', /127\.0\.0\.1 is a loopback address/],
    [`http://127.0.0.1:${server.port}/ok`, /loopback/],
    ['http://127.10.20.30/', /loopback/],
    ['http://[::1]/', /::1 is a loopback address/],
    ['http://10.0.0.1/', /private network/],
    ['http://172.16.5.4/', /private network/],
    ['http://172.31.255.255/', /private network/],
    ['http://192.168.0.1/', /private network/],
    ['http://[fc00::1]/', /unique local/],
    ['http://[fd00:ec2::254]/', /unique local/],
    ['http://169.254.10.10/', /link-local/],
    ['http://169.254.169.254/latest/meta-data/', /cloud metadata/],
    ['http://[fe80::1]/', /link-local/],
    ['http://0.0.0.0/', /unspecified/],
    ['http://[::]/', /unspecified/],
    ['http://100.64.0.1/', /carrier-grade NAT/],
    ['http://100.100.100.200/', /carrier-grade NAT/],
    ['http://[::ffff:127.0.0.1]/', /IPv4-mapped IPv6 form of 127\.0\.0\.1, a loopback address/],
    ['http://[::ffff:10.0.0.1]/', /IPv4-mapped .* private network/],
    ['http://[::ffff:169.254.169.254]/', /IPv4-mapped .* cloud metadata/],
    ['http://[::ffff:100.64.1.1]/', /IPv4-mapped .* carrier-grade NAT/],
    ['http://2130706433/', /127\.0\.0\.1 is a loopback address/],
    ['http://0177.0.0.1/', /127\.0\.0\.1 is a loopback address/],
    ['http://0x7f.0.0.1/', /loopback/],
    ['http://127.1/', /loopback/],
    ['http://0xA9FEA9FE/', /cloud metadata/],
    ['https://10.1.1.1/', /private network/],
  ]
  const resolve = fakeResolver({})
  for (const [url, pattern] of cases) await refused(t, url, pattern, {}, resolve)
  t.same(resolve.calls, [], 'IP literals are never looked up')
  t.same(server.hits, [], 'nothing reached the loopback server')
})

t.test('metadata and .internal names are refused before any DNS lookup', async (t) => {
  const resolve = fakeResolver({ 'metadata.google.internal': ['8.8.8.8'] })
  await refused(t, 'http://metadata.google.internal/computeMetadata/v1/', /cloud metadata service name/, {}, resolve)
  await refused(t, 'http://METADATA.GOOGLE.INTERNAL./', /cloud metadata service name/, {}, resolve)
  await refused(t, 'http://db.prod.internal/', /internal-only name/, {}, resolve)
  t.same(resolve.calls, [])
})

t.test('a hostname that resolves to loopback (localhost) is refused after DNS', async (t) => {
  await refused(t, `http://localhost:${server.port}/ok`, /localhost resolves to (127\.0\.0\.1|::1), a loopback address/)
  t.same(server.hits, [], 'nothing reached the loopback server')
})

t.test('every resolved address is checked: one internal answer is enough to refuse', async (t) => {
  const resolve = fakeResolver({ 'mixed.test': ['93.184.216.34', '10.0.0.5'], 'mapped.test': ['::ffff:192.168.1.1'] })
  await refused(t, 'http://mixed.test/', /mixed\.test resolves to 10\.0\.0\.5, a private network address/, {}, resolve)
  await refused(t, 'http://mapped.test/', /mapped\.test resolves to ::ffff:192\.168\.1\.1, the IPv4-mapped IPv6 form of 192\.168\.1\.1, a private network address/, {}, resolve)
})

t.test('every redirect hop is checked again', async (t) => {
  const resolve = fakeResolver({ 'rebind.test': ['192.168.7.7'] })
  const options = { allowHosts: ['127.0.0.1'] }
  const via = (to: string) => `${server.origin}/redirect?to=${encodeURIComponent(to)}`
  t.equal((await run(via('/ok'), options, resolve)).output, `Redirected to ${server.origin}/ok\n\nreached`, 'a redirect to an allowed address works')
  await refused(t, via('http://169.254.169.254/latest/meta-data/'), /cloud metadata/, options, resolve)
  await refused(t, via(`http://[::1]:${server.port}/ok`), /::1 is a loopback address/, options, resolve)
  await refused(t, via('http://[::ffff:10.0.0.1]/'), /IPv4-mapped/, options, resolve)
  await refused(t, via('http://2130706434/'), /127\.0\.0\.2 is a loopback address/, options, resolve)
  await refused(t, via('http://rebind.test/'), /rebind\.test resolves to 192\.168\.7\.7/, options, resolve)
  await refused(t, via(via('http://metadata.google.internal/')), /cloud metadata service name/, options, resolve)
  t.same(resolve.calls, ['rebind.test'])
})

t.test('the connection goes to the vetted address; DNS is not asked again at connect time', async (t) => {
  let answers = 0
  const resolve = fakeResolver({ 'pinned.test': () => (answers++ === 0 ? ['127.0.0.1'] : ['10.9.9.9']) })
  const result = await run(`http://pinned.test:${server.port}/host`, { allowHosts: ['127.0.0.1'] }, resolve)
  t.equal(result.output, `pinned.test:${server.port}`, 'the Host header names the requested host')
  t.same(resolve.calls, ['pinned.test'], 'one lookup per hop, done by the guard')
})

t.test('allowHosts lets listed names, addresses and ranges through, and nothing else', async (t) => {
  const resolve = fakeResolver({ 'intranet.test': ['127.0.0.1'], 'other.test': ['127.0.0.1'] })
  t.equal((await run(`http://intranet.test:${server.port}/ok`, { allowHosts: ['intranet.test'] }, resolve)).output, 'reached')
  await refused(t, `http://other.test:${server.port}/ok`, /other\.test resolves to 127\.0\.0\.1/, { allowHosts: ['intranet.test'] }, resolve)
  t.equal((await run(`${server.origin}/ok`, { allowHosts: ['127.0.0.0/8'] })).output, 'reached')
  t.equal((await run(`http://[::ffff:127.0.0.1]:${server.port}/ok`, { allowHosts: ['127.0.0.1'] })).output, 'reached')
  await refused(t, 'http://10.0.0.1/', /private network/, { allowHosts: ['127.0.0.0/8'] })
})

t.test('DNS failures, other schemes and credentials in URLs are explained', async (t) => {
  const codeOf = (url: string) =>
    run(url, {}, fakeResolver({})).then(
      () => 'resolved',
      (e: PlatformError) => `${e.code}: ${e.message}`,
    )
  t.match(await codeOf('http://nowhere.test/'), /^TOOL_WEB_DNS_FAILED: Could not resolve the host "nowhere.test" \(ENOTFOUND\)/)
  t.match(await codeOf('file:///etc/passwd'), /^TOOL_WEB_INVALID_URL: Only http:\/\/ and https:\/\//)
  t.match(await codeOf('gopher://127.0.0.1/'), /^TOOL_WEB_INVALID_URL/)
  t.match(await codeOf('not a url'), /^TOOL_WEB_INVALID_URL: "not a url" is not a valid URL/)
  const withCredentials = await codeOf('http://user:hunter2@example.com/')
  t.match(withCredentials, /^TOOL_WEB_INVALID_URL: URLs with a user name or password/)
  t.notMatch(withCredentials, /hunter2/, 'the password is not repeated')
})

t.test('an abort during DNS resolution ends the call at once', async (t) => {
  const tool = createWebFetchTool(webOptions(), { resolve: () => new Promise(() => undefined) })
  const ctx = toolContext()
  setTimeout(() => ctx.controller.abort(), 50)
  const started = Date.now()
  const error = (await tool.execute(tool.inputSchema.parse({ url: 'http://slow-dns.test/' }), ctx).catch((e: unknown) => e)) as PlatformError
  t.equal(error.code, 'TOOL_WEB_ABORTED')
  t.ok(Date.now() - started < 1_000)
})

/** A throwaway self-signed certificate for "pinned.test" (test fixture only, trusted by nothing). */
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgk8WC9+0e4KVo6xmv
XtlhNAfYbxefuwVQin+ot4/dzuahRANCAATBSzWH4l0i57mz21eTB3NFKSj7OCNB
JWrqkdypi9Jlj+G3P2cWFCQvHySdrN7C7tWoIlIKA4DwBlpuC17PfzPg
-----END PRIVATE KEY-----`
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBmjCCAUGgAwIBAgIUJUXlzkbcx4NGwS8i4Fvin6SxO+QwCgYIKoZIzj0EAwIw
FjEUMBIGA1UEAwwLcGlubmVkLnRlc3QwIBcNMjYxMTI1MDQwOTE3WhgPMjEyNjEx
MDEwNDA5MTdaMBYxFDASBgNVBAMMC3Bpbm5lZC50ZXN0MFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAEwUs1h+JdIue5s9tXkwdzRSko+zgjQSVq6pHcqYvSZY/htz9n
FhQkLx8knazewu7VqCJSCgOA8AZabgtez38z4KNrMGkwHQYDVR0OBBYEFBm75eDR
KPtU54RAbpAbbAWrxCfnMB8GA1UdIwQYMBaAFBm75eDRKPtU54RAbpAbbAWrxCfn
MA8GA1UdEwEB/wQFMAMBAf8wFgYDVR0RBA8wDYILcGlubmVkLnRlc3QwCgYIKoZI
zj0EAwIDRwAwRAIgeIgN0YCa/EwDb4FXhOIAZxR8L6RslexKRM5Y4ksHzKoCIDyY
2FFSM+zIqNKK4FJ7hEQUGOCaXUY+ff4Lf8DwZvtY
-----END CERTIFICATE-----`

t.test('https goes to the vetted address with the requested name as SNI, and verifies the certificate', async (t) => {
  const servernames: string[] = []
  const https = createHttpsServer({
    key: TEST_KEY,
    cert: TEST_CERT,
    SNICallback: (servername, done) => {
      servernames.push(servername)
      done(null)
    },
  })
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => https.close(() => resolve())))
  const { port } = https.address() as AddressInfo
  const resolve = fakeResolver({ 'pinned.test': ['127.0.0.1'] })
  const error = (await run(`https://pinned.test:${port}/`, { allowHosts: ['127.0.0.1'] }, resolve).catch((e: unknown) => e)) as PlatformError
  t.equal(error.code, 'TOOL_WEB_CONNECT_FAILED', 'a self-signed certificate is not trusted')
  t.match(error.message, /self[- ]signed certificate/)
  t.same(servernames, ['pinned.test'], 'the TLS handshake reached the vetted address and named the requested host')
})
