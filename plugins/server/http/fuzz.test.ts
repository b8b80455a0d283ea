import { request as httpRequest } from 'node:http'
import t from 'tap'
import { bootDocumented, fillPath, validatorFor, type Operation } from './openapi-test-support.js'

/** Small seeded PRNG (mulberry32): a failure names its seed and replays exactly. */
function random(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = Math.imul(a ^ (a >>> 15), 1 | a)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296
  }
  const int = (n: number) => Math.floor(next() * n)
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]
  const text = () => pick(['', ' ', 'a', '\u0000', '🙂'.repeat(3), '../../etc/passwd', '<script>', '%00', 'null', '{}', '\\', 'ses_x', '-1', '1e309'])
  const value = (depth = 0): unknown => {
    const kind = int(depth > 3 ? 6 : 9)
    if (kind === 0) return null
    if (kind === 1) return next() < 0.5
    if (kind === 2) return pick([0, -1, 1.5, 2 ** 53, -(2 ** 63), Number.MAX_VALUE])
    if (kind === 3) return text()
    if (kind === 4) return 'x'.repeat(int(5000))
    if (kind === 5) return pick(['__proto__', 'constructor', 'prototype'])
    if (kind === 6) return Array.from({ length: int(4) }, () => value(depth + 1))
    return Object.fromEntries(Array.from({ length: int(5) }, () => [pick(['text', 'reply', 'turnId', 'title', 'model', 'agent', 'tools', 'permissions', 'id', 'greeting', text()]), value(depth + 1)]))
  }
  return { next, int, pick, text, value }
}

interface Answer {
  status: number
  type: string
  text: string
}

/** Raw HTTP (fetch refuses bodies on GET and fixes content types): resolves at the headers for streams. */
function send(base: string, method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) } }, (res) => {
      const type = String(res.headers['content-type'] ?? '')
      if (type.startsWith('text/event-stream')) {
        res.destroy()
        return resolve({ status: res.statusCode ?? 0, type, text: '' })
      }
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type, text }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** Wrong types for every property a schema names (one at a time), from the operation's JSON Schema. */
function wrongTypes(schema: Record<string, unknown> | undefined): unknown[] {
  const properties = Object.keys((schema?.properties ?? {}) as Record<string, unknown>)
  return properties.flatMap((name) => [{ [name]: 12345 }, { [name]: { nested: [] } }, { [name]: null }, { [name]: 'y'.repeat(100_000) }])
}

t.test('malformed requests to every route of the OpenAPI document: no crash, no 5xx, every error an ApiErrorBody', async (t) => {
  const { base, doc, operations, tk } = await bootDocumented(t)
  const validator = validatorFor(doc)
  const seed = Number(process.env.FUZZ_SEED ?? 20_261_125)
  const rng = random(seed)
  const session = JSON.parse((await send(base, 'POST', '/api/sessions', { 'content-type': 'application/json' }, '{}')).text) as { id: string }
  const failures: string[] = []
  let requests = 0

  const check = async (operation: Operation, path: string, headers: Record<string, string>, body: string | Buffer | undefined, what: string) => {
    const answer = await send(base, operation.method, path, headers, body)
    requests += 1
    const label = `${operation.method} ${path.slice(0, 80)} ${what} (seed ${seed})`
    if (answer.status >= 500) failures.push(`${label}: ${answer.status} ${answer.text.slice(0, 200)}`)
    if (answer.status >= 400) {
      let json: unknown
      try {
        json = JSON.parse(answer.text)
      } catch {
        failures.push(`${label}: ${answer.status} with a body that is not JSON`)
        return
      }
      const error = validator({ $ref: '#/components/schemas/ApiErrorBody' }, json)
      if (error) failures.push(`${label}: ${answer.status} body is not an ApiErrorBody: ${error}`)
    }
  }

  const json = { 'content-type': 'application/json' }
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n)
  const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)
  for (const operation of operations) {
    const valid = fillPath(operation.path, { id: session.id, name: 'ada' })
    const bodySchema = operation.op.requestBody?.content['application/json'].schema
    const bodies: Array<[string, string | Buffer | undefined, Record<string, string>]> = [
      ...Array.from({ length: 40 }, (_, i) => [`random #${i}`, JSON.stringify(rng.value()) ?? 'null', json] as [string, string, Record<string, string>]),
      ...wrongTypes(bodySchema).map((body, i) => [`wrong type #${i}`, JSON.stringify(body), json] as [string, string, Record<string, string>]),
      ['broken JSON', '{"text": "unterminated', json],
      ['empty JSON', '', json],
      ['deep array', deep(50_000), json],
      ['deep object', deepObject(20_000), json],
      ['prototype poisoning', '{"__proto__": {"polluted": true}, "text": "x"}', json],
      ['over the body limit', JSON.stringify({ text: 'z'.repeat(1_200_000) }), json],
      ['text/plain', '{"text":"hi"}', { 'content-type': 'text/plain' }],
      ['xml', '<text>hi</text>', { 'content-type': 'application/xml' }],
      ['multipart', '--b\r\n\r\nx\r\n--b--', { 'content-type': 'multipart/form-data; boundary=b' }],
      ['binary', Buffer.from([0xff, 0xfe, 0x00, 0x01]), { 'content-type': 'application/octet-stream' }],
      ['bad charset', '{"text":"hi"}', { 'content-type': 'application/json; charset=klingon' }],
      ['no content type', '{"text":"hi"}', {}],
    ]
    for (const [what, body, headers] of bodies) await check(operation, valid, headers, body, what)
    // Odd path parameters and query strings.
    for (const odd of ['%00', '..%2F..%2Fetc', '%F0%9F%99%82', 'x'.repeat(5000), '%', '%ZZ']) {
      const path = operation.path.replace(/\{(\w+)\}/g, odd)
      if (path !== operation.path) await check(operation, path, {}, undefined, `param ${odd.slice(0, 12)}`)
    }
    for (const query of ['since=-1', 'since=abc', 'since=1e999', 'limit=0', 'limit=abc', 'limit=99999999999999999999', 'times=%00', 'a[b]=1&a[c]=2', 'since=1&since=2']) {
      await check(operation, `${valid}?${query}`, {}, undefined, `query ${query}`)
    }
    await check(operation, valid, { 'last-event-id': 'not-a-number' }, undefined, 'bad Last-Event-ID')
  }

  t.same(failures, [], `${requests} malformed requests: no 5xx, every error an ApiErrorBody`)
  t.ok(requests > 1000, `${requests} requests sent`)
  const health = await send(base, 'GET', '/health', {})
  t.equal(health.status, 200, 'the server still answers')
  t.same(tk.logLines.filter((line) => line.includes('"level":"error"')), [], 'nothing unexpected was logged')
})
