/**
 * Demo config: the platform with auth-oauth pointed at the fake authorisation server
 * (fake-auth-server.ts), for producing a curl transcript of an OAuth flow by hand. See README.md.
 *   FAKE_AUTH_URL=http://127.0.0.1:8790 npm start -- --config plugins/auth/oauth/fake-auth.config.ts
 */
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defineConfig } from '../../../kernel/index.js'

const fake = process.env.FAKE_AUTH_URL || 'http://127.0.0.1:8790'

export default defineConfig({
  kernel: {
    dataDir: join(tmpdir(), 'agent-platform-oauth-demo'),
    defaultAgent: 'demo',
    agents: { demo: { name: 'Demo', provider: 'scripted', model: 'demo', tools: '*' } },
  },
  plugins: {
    'server-http': { host: '127.0.0.1', port: 8787 },
    'provider-scripted': { chunkDelayMs: 0 },
    'auth-oauth': {
      anthropic: { enabled: true, authorizeUrl: `${fake}/oauth/authorize`, tokenUrl: `${fake}/oauth/token` },
      codex: {
        authorizeUrl: `${fake}/oauth/authorize`,
        tokenUrl: `${fake}/oauth/token`,
        deviceCodeUrl: `${fake}/deviceauth/usercode`,
        deviceTokenUrl: `${fake}/deviceauth/token`,
      },
      gemini: {
        enabled: true,
        authorizeUrl: `${fake}/oauth/authorize`,
        tokenUrl: `${fake}/oauth/token`,
        revokeUrl: `${fake}/revoke`,
        userinfoUrl: `${fake}/userinfo`,
      },
      device: { slowDownMs: 2_000 },
    },
  },
})
