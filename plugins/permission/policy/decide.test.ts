import t from 'tap'
import { isEnvFile } from './decide.js'

t.test('.env files are recognised; .env.example is not one', async (t) => {
  for (const path of ['/w/.env', '/w/app/.env.local', '.env.production']) t.ok(isEnvFile(path), path)
  for (const path of ['/w/.env.example', '/w/env.ts', '/w/.envrc.d/x', '/w/.environment']) t.notOk(isEnvFile(path), path)
})
