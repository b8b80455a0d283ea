import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { PlatformError } from '../../../kernel/index.js'
import { harness } from './test-helpers.js'
import { isSensitiveName, realPathOf, resolveToolPath } from './paths.js'

const read = { action: 'Read', allowEnvFiles: false }

async function rejection(promise: Promise<unknown>): Promise<PlatformError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof PlatformError) return error
    throw error
  }
  throw new Error('expected a rejection')
}

t.test('a relative path inside the workspace resolves without asking', async (t) => {
  const h = harness(t)
  h.file('src/a.ts', 'x')
  const resolved = await resolveToolPath('src/../src/a.ts', h.ctx, read)
  t.same(resolved, { path: join(h.workspace, 'src/a.ts'), workspace: h.workspace, inside: true, display: 'src/a.ts' })
  t.equal((await resolveToolPath('.', h.ctx, read)).display, '.')
  t.same(h.asks, [])
})

t.test('../ traversal out of the workspace asks, and a refusal propagates', async (t) => {
  const h = harness(t)
  writeFileSync(join(h.outside, 'secret.txt'), 's')
  const resolved = await resolveToolPath('../outside/secret.txt', h.ctx, read)
  t.equal(resolved.path, join(h.outside, 'secret.txt'))
  t.equal(resolved.inside, false)
  t.equal(resolved.display, join(h.outside, 'secret.txt'), 'outside paths are shown absolute')
  t.same(h.asks, [{ title: `Read ${join(h.outside, 'secret.txt')} (outside the workspace)`, patterns: [join(h.outside, '*')], reason: 'outside_workspace' }])
  h.answer = 'reject'
  t.equal((await rejection(resolveToolPath('../outside/secret.txt', h.ctx, read))).code, 'PERMISSION_REJECTED')
})

t.test('absolute paths: inside resolves silently, outside asks; directories ask for everything below', async (t) => {
  const h = harness(t)
  h.file('a.txt', 'a')
  t.equal((await resolveToolPath(join(h.workspace, 'a.txt'), h.ctx, read)).display, 'a.txt')
  t.equal(h.asks.length, 0)
  await resolveToolPath(h.outside, h.ctx, { ...read, action: 'List', directory: true })
  t.same(h.asks[0].patterns, [h.outside, join(h.outside, '**')])
  t.equal(h.asks[0].title, `List ${h.outside} (outside the workspace)`)
})

t.test('a sibling directory sharing the workspace name as prefix is outside', async (t) => {
  const h = harness(t)
  mkdirSync(join(h.root, 'ws-other'))
  const resolved = await resolveToolPath('../ws-other/x', h.ctx, read)
  t.equal(resolved.inside, false)
  t.equal(h.asks.length, 1)
})

t.test('a symlink inside the workspace that points outside asks (existing, new and dangling targets)', async (t) => {
  const h = harness(t)
  writeFileSync(join(h.outside, 'data.txt'), 'd')
  symlinkSync(h.outside, join(h.workspace, 'escape'))
  symlinkSync(join(h.outside, 'later.txt'), join(h.workspace, 'dangling.txt'))
  const existing = await resolveToolPath('escape/data.txt', h.ctx, read)
  t.equal(existing.path, join(h.outside, 'data.txt'))
  const created = await resolveToolPath('escape/new/dir/file.txt', h.ctx, { ...read, action: 'Write' })
  t.equal(created.path, join(h.outside, 'new/dir/file.txt'))
  const dangling = await resolveToolPath('dangling.txt', h.ctx, { ...read, action: 'Write' })
  t.equal(dangling.path, join(h.outside, 'later.txt'), 'writing through a dangling link would land outside')
  t.same(h.asks.map((ask) => ask.title.split(' ')[0]), ['Read', 'Write', 'Write'])
  t.ok(h.asks.every((ask) => ask.reason === 'outside_workspace'))
})

t.test('a workspace reached through a symlink still counts as inside', async (t) => {
  const h = harness(t)
  symlinkSync(h.workspace, join(h.root, 'link-to-ws'))
  h.ctx.workdir = join(h.root, 'link-to-ws')
  h.file('a.txt', 'a')
  const resolved = await resolveToolPath('a.txt', h.ctx, read)
  t.equal(resolved.inside, true)
  t.equal(resolved.display, 'a.txt')
  t.same(h.asks, [])
})

t.test('.env files are denied (also through a symlink) except .env.example, unless allowed', async (t) => {
  const h = harness(t)
  h.file('.env', 'KEY=1')
  h.file('.env.example', 'KEY=')
  symlinkSync(join(h.workspace, '.env'), join(h.workspace, 'settings.txt'))
  for (const path of ['.env', 'sub/.env.local', '.env.production', 'settings.txt']) {
    const error = await rejection(resolveToolPath(path, h.ctx, read))
    t.equal(error.code, 'TOOL_FS_SENSITIVE_FILE', path)
    t.match(error.message, /\.env\.example/)
  }
  t.equal((await resolveToolPath('.env.example', h.ctx, read)).display, '.env.example')
  t.equal((await resolveToolPath('.env', h.ctx, { ...read, allowEnvFiles: true })).display, '.env')
  t.equal(isSensitiveName('.envrc'), false)
  t.equal(isSensitiveName('env'), false)
})

t.test('realPathOf follows what exists and keeps the missing rest', async (t) => {
  const h = harness(t)
  t.equal(await realPathOf(join(h.workspace, 'a/b/c.txt')), join(h.workspace, 'a/b/c.txt'))
  symlinkSync('loop', join(h.workspace, 'loop'))
  await t.rejects(realPathOf(join(h.workspace, 'loop')), { code: 'ELOOP' }, 'a link loop ends without hanging')
})

t.test('a missing workspace is a clear error', async (t) => {
  const h = harness(t)
  h.ctx.workdir = join(h.root, 'gone')
  t.equal((await rejection(resolveToolPath('a', h.ctx, read))).code, 'TOOL_FS_WORKSPACE_MISSING')
})
