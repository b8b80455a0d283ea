import t from 'tap'
import { createTestKernel, type TestKernel } from '../../../kernel/testing/index.js'
import { testBackends } from '../../../kernel/testing/backends.js'
import { hashToken, newToken, sameSecret, TOKEN_PREFIX } from './tokens.js'

declare namespace Tap {
  type Test = import('tap').Test
}

t.test('tokens: random, prefixed, stored as SHA-256; comparisons do not depend on where strings differ', async (t) => {
  const a = newToken()
  const b = newToken()
  t.not(a, b)
  t.ok(a.startsWith(TOKEN_PREFIX) && a.length === TOKEN_PREFIX.length + 43)
  t.match(hashToken(a), /^[0-9a-f]{64}$/)
  t.ok(sameSecret(a, a))
  t.notOk(sameSecret(a, b))
  t.notOk(sameSecret(a, a + 'x'), 'different lengths are fine')
})

async function boot(t: Tap.Test, options: Record<string, unknown> = {}): Promise<TestKernel> {
  const backends = testBackends({ jobs: false })
  t.teardown(backends.cleanup)
  const tk = await createTestKernel({ plugins: { ...backends.plugins, 'server-auth': options } as never })
  t.teardown(tk.close)
  return tk
}

async function command(tk: TestKernel, ...args: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = []
  const code = await tk.kernel.registries.commands.get('tokens')!.run(args, { out: (line) => lines.push(line) })
  return { code, lines }
}

t.test('tokens create/list/revoke through the command; authenticate resolves users and refuses bad tokens', async (t) => {
  const tk = await boot(t)
  const auth = tk.kernel.resolve('serverAuth')
  const created = await command(tk, 'create', 'alice', 'member', 'laptop', 'cli')
  t.equal(created.code, 0)
  const token = created.lines[1]
  t.ok(token.startsWith(TOKEN_PREFIX), 'the token is printed once')
  t.match(created.lines[0], /^Token tok_\w+ for alice \(member\):$/)
  const admin = (await command(tk, 'create', 'root', 'admin')).lines[1]

  t.match(await auth.authenticate({ authorization: `Bearer ${token}`, tokensRequired: true }), { name: 'alice', role: 'member', userId: /^usr_/ })
  t.match(await auth.authenticate({ authorization: `bearer ${admin}`, tokensRequired: true }), { name: 'root', role: 'admin' })
  t.same(await auth.authenticate({ tokensRequired: false }), { userId: null, name: 'local', role: 'admin', tokenId: null }, 'loopback without a token: the local admin')
  await t.rejects(auth.authenticate({ tokensRequired: true }), { code: 'AUTH_TOKEN_REQUIRED', httpStatus: 401, message: /npm run cli -- tokens create <user>/ })
  await t.rejects(auth.authenticate({ authorization: 'Basic abc', tokensRequired: false }), { code: 'AUTH_TOKEN_INVALID', httpStatus: 401 })
  await t.rejects(auth.authenticate({ authorization: `Bearer ${newToken()}`, tokensRequired: false }), { code: 'AUTH_TOKEN_INVALID' })

  const listed = await command(tk, 'list')
  t.equal(listed.lines.length, 2)
  t.match(listed.lines[0], /alice \(member\)  apt_\S{6}…  "laptop cli"  created \S+  last used /)
  t.notOk(listed.lines.join('\n').includes(token), 'the list never shows a token')
  const rows = await tk.kernel.resolve('persistencePostgres').query<{ hash: string }>(`select "hash" from "${tk.kernel.resolve('persistencePostgres').schema}"."api_token"`)
  t.notOk(JSON.stringify(rows).includes(token.slice(TOKEN_PREFIX.length)), 'only hashes are stored')

  const id = /^Token (tok_\w+)/.exec(created.lines[0])![1]
  t.equal((await command(tk, 'revoke', id)).code, 0)
  await t.rejects(auth.authenticate({ authorization: `Bearer ${token}`, tokensRequired: false }), { code: 'AUTH_TOKEN_INVALID' }, 'a revoked token is refused')
  t.equal((await command(tk, 'revoke', id)).code, 1, 'revoking twice says there is no live token')
  t.equal((await command(tk, 'create', 'Bad Name')).code, 2)
  t.equal((await command(tk, 'create', 'bob', 'owner')).code, 2)
  t.equal((await command(tk)).code, 2, 'no action: usage')
})

t.test('the bootstrap token from PLATFORM_API_TOKEN is an admin; requireTokens applies on loopback too', async (t) => {
  process.env.TEST_BOOTSTRAP_TOKEN = 'bootstrap-secret-value-1234'
  t.teardown(() => delete process.env.TEST_BOOTSTRAP_TOKEN)
  const tk = await boot(t, { bootstrapTokenEnv: 'TEST_BOOTSTRAP_TOKEN', requireTokens: true })
  const auth = tk.kernel.resolve('serverAuth')
  t.match(await auth.authenticate({ authorization: 'Bearer bootstrap-secret-value-1234', tokensRequired: false }), { name: 'bootstrap', role: 'admin' })
  await t.rejects(auth.authenticate({ tokensRequired: false }), { code: 'AUTH_TOKEN_REQUIRED' })
  await t.rejects(auth.authenticate({ authorization: 'Bearer bootstrap-secret-value-123', tokensRequired: false }), { code: 'AUTH_TOKEN_INVALID' })
})
