import t from 'tap'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { kernelConfigSchema } from '../config.js'
import { createTestKernel } from '../testing/index.js'
import { resolveSessionDraft, resolveWorkspace } from './resolve-session.js'

/** base/root (the only root), base/root/project, base/outside, base/root/escape -> base/outside, base/root/file.txt. */
function layout(t: Tap.Test) {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'resolve-session-')))
  t.teardown(() => rmSync(base, { recursive: true, force: true }))
  const root = join(base, 'root')
  const project = join(root, 'project')
  const outside = join(base, 'outside')
  mkdirSync(project, { recursive: true })
  mkdirSync(outside)
  symlinkSync(outside, join(root, 'escape'), 'dir')
  writeFileSync(join(root, 'file.txt'), 'not a folder')
  return { base, root, project, outside, config: kernelConfigSchema.parse({ workspaceRoots: [root] }) }
}
declare namespace Tap {
  type Test = import('tap').Test
}

/** Set (or unset, with undefined) environment variables for one test and put them back after it. */
function withEnv(t: Tap.Test, values: Record<string, string | undefined>) {
  for (const [name, value] of Object.entries(values)) {
    const before = process.env[name]
    t.teardown(() => {
      if (before === undefined) delete process.env[name]
      else process.env[name] = before
    })
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
}

t.test('a workspace inside a root is accepted and returned as its real path', async (t) => {
  const { root, project, config } = layout(t)
  t.equal(resolveWorkspace(project, config), project)
  t.equal(resolveWorkspace(root, config), root, 'the root itself counts as inside')
  t.equal(resolveWorkspace(`${project}/../project/.`, config), project, 'dots are resolved away')
  const linked = join(root, 'shortcut')
  symlinkSync(project, linked, 'dir')
  t.equal(resolveWorkspace(linked, config), project, 'a symlink inside a root to a folder inside it is stored as its target')
})

t.test('a workspace outside every root is refused with the roots and the key to change', async (t) => {
  const { root, outside, config } = layout(t)
  const error = t.throws(() => resolveWorkspace(outside, config), { code: 'SESSION_WORKSPACE_OUTSIDE_ROOTS', httpStatus: 400 }) as Error
  t.match(error.message, root)
  t.match(error.message, 'kernel.workspaceRoots')
  t.match(error, { details: { workspace: outside, roots: [root] } })
  t.throws(() => resolveWorkspace(`${root}-sibling`, kernelConfigSchema.parse({ workspaceRoots: [join(root, 'project')] })), { code: 'SESSION_WORKSPACE_NOT_FOUND' })
  mkdirSync(`${root}-sibling`)
  t.throws(() => resolveWorkspace(`${root}-sibling`, config), { code: 'SESSION_WORKSPACE_OUTSIDE_ROOTS' }, 'a shared name prefix is not inside')
})

t.test('`..` cannot climb out of a root', async (t) => {
  const { root, outside, config } = layout(t)
  // Template strings, not join(): join would fold the `..` away before the code under test sees it.
  const error = t.throws(() => resolveWorkspace(`${root}/../outside`, config), { code: 'SESSION_WORKSPACE_OUTSIDE_ROOTS' }) as Error
  t.match(error.message, `real path "${outside}"`)
  t.throws(() => resolveWorkspace(`${root}/project/../..`, config), { code: 'SESSION_WORKSPACE_OUTSIDE_ROOTS' })
})

t.test('a symlink inside a root that points outside it is refused', async (t) => {
  const { root, outside, config } = layout(t)
  const error = t.throws(() => resolveWorkspace(join(root, 'escape'), config), { code: 'SESSION_WORKSPACE_OUTSIDE_ROOTS' }) as Error
  t.match(error.message, `real path "${outside}"`, 'the message shows where the link really leads')
})

t.test('a root given through a symlink still contains the folders under its target', async (t) => {
  const { base, root, project } = layout(t)
  const rootLink = join(base, 'root-link')
  symlinkSync(root, rootLink, 'dir')
  t.equal(resolveWorkspace(project, kernelConfigSchema.parse({ workspaceRoots: [rootLink] })), project)
})

t.test('missing, relative and non-directory workspaces are refused with their own codes', async (t) => {
  const { root, config } = layout(t)
  const missing = t.throws(() => resolveWorkspace(join(root, 'nope'), config), { code: 'SESSION_WORKSPACE_NOT_FOUND', httpStatus: 400 }) as Error
  t.match(missing.message, 'does not exist')
  t.throws(() => resolveWorkspace(join(root, 'file.txt', 'below'), config), { code: 'SESSION_WORKSPACE_NOT_FOUND' }, 'a path through a file')
  const relative = t.throws(() => resolveWorkspace('relative/dir', config), { code: 'SESSION_WORKSPACE_INVALID', httpStatus: 400 }) as Error
  t.match(relative.message, 'absolute')
  const file = t.throws(() => resolveWorkspace(join(root, 'file.txt'), config), { code: 'SESSION_WORKSPACE_INVALID', httpStatus: 400 }) as Error
  t.match(file.message, 'not a directory')
})

t.test('the default workspace is not held to the roots, but must exist', async (t) => {
  const { outside, base, config } = layout(t)
  withEnv(t, { PLATFORM_WORKSPACE: outside })
  t.equal(resolveWorkspace(undefined, config), outside, 'PLATFORM_WORKSPACE outside the roots is the operator\'s choice')
  process.env.PLATFORM_WORKSPACE = join(base, 'gone')
  const error = t.throws(() => resolveWorkspace(undefined, config), { code: 'SESSION_WORKSPACE_NOT_FOUND' }) as Error
  t.match(error.message, 'PLATFORM_WORKSPACE')
  delete process.env.PLATFORM_WORKSPACE
  t.equal(resolveWorkspace(undefined, config), realpathSync(process.cwd()), 'else the working directory')
})

t.test('unset or empty workspaceRoots: PLATFORM_WORKSPACE_ROOTS, else PLATFORM_WORKSPACE, else the working directory', async (t) => {
  const { root, outside, project } = layout(t)
  withEnv(t, { PLATFORM_WORKSPACE_ROOTS: `${outside}${delimiter}${delimiter}${project}`, PLATFORM_WORKSPACE: undefined })
  const fromEnv = kernelConfigSchema.parse({})
  t.same(fromEnv.workspaceRoots, [outside, project], 'split on the path delimiter, empty entries dropped')
  t.same(kernelConfigSchema.parse({ workspaceRoots: [] }).workspaceRoots, [outside, project], 'an empty list counts as unset')
  t.equal(resolveWorkspace(outside, fromEnv), outside)
  t.throws(() => resolveWorkspace(root, fromEnv), { code: 'SESSION_WORKSPACE_OUTSIDE_ROOTS' })
  t.same(kernelConfigSchema.parse({ workspaceRoots: [root] }).workspaceRoots, [root], 'the config key wins over the variable')

  delete process.env.PLATFORM_WORKSPACE_ROOTS
  process.env.PLATFORM_WORKSPACE = root
  t.same(kernelConfigSchema.parse({}).workspaceRoots, [root])
  delete process.env.PLATFORM_WORKSPACE
  t.same(kernelConfigSchema.parse({}).workspaceRoots, [process.cwd()])

  process.env.PLATFORM_WORKSPACE_ROOTS = 'relative/root'
  const parsed = kernelConfigSchema.safeParse({})
  t.notOk(parsed.success, 'a relative root from the variable is refused too')
  t.match(parsed.error?.issues[0]?.message, 'PLATFORM_WORKSPACE_ROOTS')
})

t.test('a relative root in the config fails at parse time and fails boot', async (t) => {
  const parsed = kernelConfigSchema.safeParse({ workspaceRoots: ['/srv/work', 'projects'] })
  t.notOk(parsed.success)
  t.same(parsed.error?.issues.map((issue) => issue.path), [['workspaceRoots', 1]])
  t.match(parsed.error?.issues[0]?.message, /absolute path, got "projects"/)
  await t.rejects(createTestKernel({ plugins: { 'provider-scripted': true }, kernel: { workspaceRoots: ['projects'] } }), {
    code: 'KERNEL_CONFIG_INVALID',
    message: /kernel\.workspaceRoots\.0/,
  })
})

t.test('a created session stores the real path; outside ones are refused', async (t) => {
  const { root, project, outside } = layout(t)
  const tk = await createTestKernel({ plugins: { 'provider-scripted': { chunkDelayMs: 0 } }, kernel: { workspaceRoots: [root] } })
  t.teardown(tk.close)
  const engine = tk.kernel.engine
  const session = await engine.createSession({ workspace: `${root}/./project/` })
  t.equal(session.workspace, project)
  t.equal((await engine.getSession(session.id)).workspace, project, 'stored, not only returned')
  await t.rejects(engine.createSession({ workspace: outside }), { code: 'SESSION_WORKSPACE_OUTSIDE_ROOTS', httpStatus: 400 })
  await t.rejects(engine.createSession({ workspace: join(root, 'escape') }), { code: 'SESSION_WORKSPACE_OUTSIDE_ROOTS' })
})

t.test('keepWorkspace takes an existing session\'s workspace as it is (roots may have changed since)', async (t) => {
  const { root, outside } = layout(t)
  const tk = await createTestKernel({ plugins: { 'provider-scripted': { chunkDelayMs: 0 } }, kernel: { workspaceRoots: [root] } })
  t.teardown(tk.close)
  const { config, registries } = tk.kernel
  t.equal(resolveSessionDraft({ workspace: outside }, config, registries, { keepWorkspace: true }).workspace, outside)
  t.throws(() => resolveSessionDraft({ workspace: outside }, config, registries), { code: 'SESSION_WORKSPACE_OUTSIDE_ROOTS' }, 'without it the roots apply')
})
