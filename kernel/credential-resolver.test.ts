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
