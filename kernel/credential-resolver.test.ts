import t from 'tap'
import { Secret } from './config.js'
import { createCredentialResolver } from './credential-resolver.js'
import { createLogger } from './ports/basics.js'
import { defineRegistry } from './registries/index.js'
import type { Credential, CredentialSourceDefinition } from './auth.js'

const cred = (providerId: string, mode: Credential['mode'], source: Credential['source'], value: string): Credential => ({ providerId, mode, source, secret: new Secret(value, 'test') })

t.test('sources are asked by precedence; the first answer of an accepted mode wins; refresh goes to its source', async (t) => {
  const sources = defineRegistry<CredentialSourceDefinition>('credentialSources', (s) => s.id)
  const asked: string[] = []
  sources.add({ id: 'env', precedence: 400, async resolve(q) { asked.push('env'); return q.providerId === 'anthropic' ? cred('anthropic', 'api_key', 'env', 'sk-env-1234') : null } })
  sources.add({ id: 'config', precedence: 100, async resolve() { asked.push('config'); return null } })
  sources.add({
    id: 'oauth', precedence: 500,
    async resolve(q) { asked.push('oauth'); return cred(q.providerId, 'oauth', 'oauth', 'tok-1') },
    async refresh(c, reason) { return reason === 'rejected' ? { ...c, secret: new Secret('tok-2', 'test') } : null },
  })
  const resolver = createCredentialResolver({ sources, logger: createLogger({ level: 'silent' }) })
  const found = await resolver.resolve({ providerId: 'anthropic' })
  t.same(asked, ['config', 'env'])
  t.equal(found?.secret.reveal(), 'sk-env-1234')
  t.equal(found?.sourceId, 'env')
  t.equal(String(found?.secret), '[redacted]')
  const oauth = await resolver.resolve({ providerId: 'anthropic', modes: ['oauth'] })
  t.equal(oauth?.sourceId, 'oauth')
  t.equal((await resolver.refresh(oauth!, 'rejected'))?.secret.reveal(), 'tok-2')
  t.equal(await resolver.refresh(found!, 'rejected'), null, 'an API key cannot be refreshed')
  t.equal(await resolver.resolve({ providerId: 'openai', modes: ['api_key'] }), null)
})

t.test('the resolver asks sources for the current session owner\'s credentials unless the query names an owner', async (t) => {
  const { runInCallContext } = await import('./call-context.js')
  const { createCredentialResolver } = await import('./credential-resolver.js')
  const { defineRegistry } = await import('./registries/index.js')
  const { Secret } = await import('./config.js')
  const asked: Array<string | null | undefined> = []
  const sources = defineRegistry<import('./auth.js').CredentialSourceDefinition>('credentialSources', (s) => s.id)
  sources.add({ id: 'spy', precedence: 1, resolve: async (q) => (asked.push(q.ownerId), { providerId: q.providerId, mode: 'api_key', secret: new Secret('k', 'test'), source: 'vault' }) })
  const resolver = createCredentialResolver({ sources, logger: { debug() {}, info() {}, warn() {}, error() {}, child() { return this } } as never })
  await resolver.resolve({ providerId: 'p' })
  await runInCallContext({ sessionId: 'ses_1', ownerId: 'usr_alice' }, () => resolver.resolve({ providerId: 'p' }))
  await runInCallContext({ sessionId: 'ses_1', ownerId: 'usr_alice' }, async () => {
    await new Promise((r) => setTimeout(r, 1))
    await resolver.resolve({ providerId: 'p' })
  })
  await runInCallContext({ sessionId: 'ses_1', ownerId: 'usr_alice' }, () => resolver.resolve({ providerId: 'p', ownerId: null }))
  t.same(asked, [null, 'usr_alice', 'usr_alice', null], 'outside a session: none; inside: the owner, across awaits; explicit wins')
})
