import t from 'tap'
import { Secret } from '../../../kernel/index.js'
import { commandEnv, isSecretName } from './env.js'

t.test('names that look like secrets are recognised', async (t) => {
  for (const name of ['OPENAI_API_KEY', 'api_key', 'GITHUB_TOKEN', 'CLIENT_SECRET', 'PGPASSWORD', 'GOOGLE_APPLICATION_CREDENTIALS', 'DATABASE_URL', 'REDIS_URL', 'PLATFORM_VAULT_KEYS']) {
    t.ok(isSecretName(name), name)
  }
  for (const name of ['PATH', 'HOME', 'LANG', 'NODE_ENV', 'PLATFORM_WORKSPACE', 'SHELL']) t.notOk(isSecretName(name), name)
})

t.test('the environment drops secrets, adds configured variables and sets PWD', async (t) => {
  const env = commandEnv(
    { PATH: '/bin', ANTHROPIC_API_KEY: 'sk', DATABASE_URL: 'postgres://u:p@h/db', HOME: '/home/x', EMPTY: undefined },
    { EXTRA: 'yes', NPM_TOKEN: new Secret('npm-secret', 'env:NPM_TOKEN') },
    '/work/space',
  )
  t.same(env, { PATH: '/bin', HOME: '/home/x', EXTRA: 'yes', NPM_TOKEN: 'npm-secret', PWD: '/work/space' })
})
