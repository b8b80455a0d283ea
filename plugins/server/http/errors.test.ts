import t from 'tap'
import { z } from 'zod'
import { PlatformError, protocol } from '../../../kernel/index.js'
import { errorReply, parsePart } from './errors.js'

t.test('PlatformError keeps its status, code, message and details', async (t) => {
  const reply = errorReply(new PlatformError('SESSION_NOT_FOUND', 'No session with id "x".', { httpStatus: 404, details: { id: 'x' } }), 100)
  t.same(reply, { status: 404, body: { error: { code: 'SESSION_NOT_FOUND', message: 'No session with id "x".', details: { id: 'x' } } }, internal: false })
})

t.test('fastify body errors get stable codes', async (t) => {
  const code = (c: string) => Object.assign(new Error('fastify says'), { code: c, statusCode: 400 })
  t.match(errorReply(code('FST_ERR_CTP_INVALID_JSON_BODY'), 100), { status: 400, body: { error: { code: 'REQUEST_BODY_MALFORMED' } } })
  t.match(errorReply(code('FST_ERR_CTP_EMPTY_JSON_BODY'), 100), { status: 400, body: { error: { code: 'REQUEST_BODY_MALFORMED' } } })
  t.match(errorReply(code('FST_ERR_CTP_BODY_TOO_LARGE'), 100), { status: 413, body: { error: { code: 'REQUEST_BODY_TOO_LARGE', message: /limit is 100 bytes/ } } })
  t.match(errorReply(code('FST_ERR_CTP_INVALID_MEDIA_TYPE'), 100), { status: 415, body: { error: { code: 'REQUEST_MEDIA_TYPE_UNSUPPORTED' } } })
})

t.test('anything else is a generic 500 that leaks nothing', async (t) => {
  const reply = errorReply(new Error('connect ECONNREFUSED postgres://admin:secret@db'), 100)
  t.equal(reply.status, 500)
  t.equal(reply.internal, true)
  t.equal(reply.body.error.code, 'INTERNAL_ERROR')
  t.notMatch(JSON.stringify(reply.body), /secret|ECONNREFUSED|at /)
  t.equal(errorReply('a string', 100).status, 500)
  t.equal(errorReply(null, 100).status, 500)
})

t.test('zod failures name every bad field', async (t) => {
  const error = t.throws(() => parsePart(protocol.postMessageBody, { text: '', attachments: [{ name: 'a' }], extra: 1 }, 'body')) as PlatformError
  t.equal(error.code, 'REQUEST_INVALID')
  t.equal(error.httpStatus, 400)
  t.match(error.message, /body\.text: text must not be empty/)
  t.match(error.message, /body\.attachments\.0\.mimeType/)
  t.match(error.message, /body\.extra: unknown field/)
  const issues = error.details?.issues as Array<{ location: string; path: string }>
  t.same(issues.map((i) => i.path).sort(), ['attachments.0.data', 'attachments.0.mimeType', 'extra', 'text'])
  t.ok(issues.every((i) => i.location === 'body'))
})

t.test('a valid value is returned parsed', async (t) => {
  t.same(parsePart(z.object({ n: z.coerce.number() }), { n: '4' }, 'querystring'), { n: 4 })
})
