/** Test helpers (not a test file): a fake authorisation server and a test kernel whose auth-oauth points at it. */
import { createTestKernel, type TestKernel } from '../../../kernel/testing/index.js'
import type { Credential, CredentialResolver, CredentialStore, PluginEntry } from '../../../kernel/index.js'
import { createFakeAuthServer, type FakeAuthOptions, type FakeAuthServer } from './fake-auth-server.js'
import type { AuthOauthService } from './services.js'

export { waitFor } from '../../../kernel/testing/wait.js'

type Teardown = { teardown(fn: () => unknown): void }
type Plain = Record<string, unknown>

function merge(base: Plain, extra: Plain): Plain {
  const out: Plain = { ...base }
  for (const [key, value] of Object.entries(extra)) {
    out[key] = value && typeof value === 'object' && !Array.isArray(value) && base[key] && typeof base[key] === 'object' ? merge(base[key] as Plain, value as Plain) : value
  }
  return out
}

/** auth-oauth options pointing every provider at the fake, all providers enabled, loopback ports free. */
export function fakeOptions(fake: FakeAuthServer, overrides: Plain = {}): Plain {
  const e = fake.endpoints()
  const base: Plain = {
    anthropic: { enabled: true, authorizeUrl: e.authorizeUrl, tokenUrl: e.tokenUrl, callbackPort: 0 },
    codex: { enabled: true, authorizeUrl: e.authorizeUrl, tokenUrl: e.tokenUrl, deviceCodeUrl: e.deviceCodeUrl, deviceTokenUrl: e.deviceTokenUrl, callbackPort: 0 },
    gemini: { enabled: true, authorizeUrl: e.authorizeUrl, tokenUrl: e.tokenUrl, revokeUrl: e.revokeUrl, userinfoUrl: e.userinfoUrl, callbackPort: 0 },
    device: { intervalMs: 50, slowDownMs: 200 },
    refresh: { checkEveryMs: 3_600_000, lockWaitMs: 5_000 },
    networkTimeoutMs: 5_000,
  }
  return merge(base, overrides)
}

export async function startFake(t: Teardown, options: Partial<FakeAuthOptions> = {}): Promise<FakeAuthServer> {
  const fake = createFakeAuthServer(options)
  await fake.listen()
  t.teardown(() => fake.close())
  return fake
}

export interface OAuthKernel {
  tk: TestKernel
  service: AuthOauthService
  store: CredentialStore
  credentials: CredentialResolver
}

export async function bootOAuth(t: Teardown, options: Plain, plugins: Record<string, PluginEntry> = {}): Promise<OAuthKernel> {
  const tk = await createTestKernel({ plugins: { 'auth-oauth': options as PluginEntry, ...plugins } })
  t.teardown(tk.close)
  return { tk, service: tk.kernel.resolve('authOauth'), store: tk.kernel.resolve('credentialStore'), credentials: tk.kernel.resolve('credentials') }
}

/** Store a login as if a flow had completed, expiring `expiresInMs` from now. */
export async function seedLogin(store: CredentialStore, fake: FakeAuthServer, provider: 'anthropic' | 'codex' | 'gemini', clientId: string, expiresInMs: number, meta: Plain = {}): Promise<Credential> {
  const issued = fake.issue(clientId)
  const info = await store.save({
    providerId: provider, mode: 'oauth', secret: issued.access_token, refreshToken: issued.refresh_token,
    expiresAt: new Date(Date.now() + expiresInMs).toISOString(), scopes: ['fake:scope'], meta,
  })
  return (await store.get(info.id))!
}

export const CLIENT = {
  anthropic: '9d1c250a-e61b-44d9-88ed-5944d1962f5e',
  codex: 'app_EMoamEEZ73f0CkXaXp7hrann',
  gemini: '681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com',
} as const

/** The query parameter names of a URL, in order. */
export const queryKeys = (url: string) => [...new URL(url).searchParams.keys()]
