import t from 'tap'
import { PlatformError, isPlatformError } from './errors.js'

t.test('PlatformError carries code, status and JSON without the stack', async (t) => {
  const error = new PlatformError('X_BAD', 'bad thing', { httpStatus: 400, details: { a: 1 } })
  t.equal(error.code, 'X_BAD')
  t.equal(error.httpStatus, 400)
  t.ok(isPlatformError(error))
  t.same(JSON.parse(JSON.stringify(error)), { code: 'X_BAD', message: 'bad thing', details: { a: 1 } })
  t.notOk(isPlatformError(new Error('x')))
})

t.test('redact hides Secrets and secret-named string options, not look-alikes', async (t) => {
  const { redact, Secret } = await import('./config.js')
  t.same(redact({ url: new Secret('postgres://u:p@h/db', 'DATABASE_URL'), apiKey: 'k', accessToken: 't', keyPrefix: 'platform:', nested: [{ password: 'x', port: 1 }] }), {
    url: '[redacted]', apiKey: '[redacted]', accessToken: '[redacted]', keyPrefix: 'platform:', nested: [{ password: '[redacted]', port: 1 }],
  })
})
