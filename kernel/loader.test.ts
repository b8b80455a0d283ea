import t from 'tap'
import { Kernel } from './kernel.js'
import { createOutsideFolder } from './testing/outside-folder.js'
import { createLogger } from './ports/basics.js'
import { isPlatformError } from './errors.js'

/** Plugins written as a third party would, in a folder outside the repository. */
const plugin = (name: string, extra = '') => `
import { definePlugin } from 'agent-platform/kernel'
import { z } from 'zod'
export default definePlugin({
  name: '${name}',
  configSchema: z.object({ size: z.number().int().default(1), label: z.string().default('x') }),
  ${extra}
  register(ctx) { globalThis.__registered = [...(globalThis.__registered ?? []), ctx.name + ':' + JSON.stringify(ctx.options)] },
})
`
const outside = createOutsideFolder({
  'a.ts': plugin('ext-a'),
  'b.ts': plugin('ext-b', "dependsOn: ['ext-a'],"),
  'c.ts': plugin('ext-c', "dependsOn: ['ext-d'],"),
  'd.ts': plugin('ext-d', "dependsOn: ['ext-c'],"),
  'wrong-name.ts': plugin('ext-other'),
  'async.ts': `import { definePlugin } from 'agent-platform/kernel'
export default definePlugin({ name: 'ext-async', async register() {} })`,
  'node_modules/acme-platform-jira/package.json': JSON.stringify({ name: 'acme-platform-jira', type: 'module', exports: { '.': { import: './index.ts' } } }),
  'node_modules/acme-platform-jira/index.ts': plugin('acme-tool-jira'),
  'platform.config.ts': '',
})
t.teardown(() => outside.remove())
const configFile = outside.path('platform.config.ts')
const quiet = createLogger({ level: 'silent' })

async function bootError(plugins: Record<string, unknown>, kernel: Record<string, unknown> = {}) {
  try {
    const k = await Kernel.boot({ configFile, logger: quiet, config: { kernel, plugins } as never })
    await k.close()
  } catch (error) {
    if (!isPlatformError(error)) throw error
    return error
  }
  throw new Error('boot was expected to fail')
}

t.beforeEach(() => {
  ;(globalThis as { __registered?: string[] }).__registered = []
})

t.test('loads a plugin from a path outside the repository, resolved against the config file', async (t) => {
  const k = await Kernel.boot({ configFile, logger: quiet, config: { plugins: { 'ext-a': { resolve: './a.ts', size: 3 } } } })
  t.teardown(() => k.close())
  t.same((globalThis as { __registered?: string[] }).__registered, ['ext-a:{"size":3,"label":"x"}'], 'resolve is removed before the plugin schema parses the rest')
  t.equal(k.describe().plugins[0].id, 'ext-a')
})

t.test('loads a plugin from a package by name (exports without a require condition)', async (t) => {
  const k = await Kernel.boot({ configFile, logger: quiet, config: { plugins: { 'acme-tool-jira': { resolve: 'acme-platform-jira', label: 'jira' } } } })
  t.teardown(() => k.close())
  t.same((globalThis as { __registered?: string[] }).__registered, ['acme-tool-jira:{"size":1,"label":"jira"}'])
})

t.test('dependency order: a dependency registers first whatever the config order', async (t) => {
  const k = await Kernel.boot({ configFile, logger: quiet, config: { plugins: { 'ext-b': { resolve: './b.ts' }, 'ext-a': { resolve: './a.ts' } } } })
  t.teardown(() => k.close())
  t.same(((globalThis as { __registered?: string[] }).__registered ?? []).map((r) => r.split(':')[0]), ['ext-a', 'ext-b'])
})

t.test('unknown plugin name, with a suggestion for a near miss', async (t) => {
  const error = await bootError({ 'provider-scriptd': true })
  t.equal(error.code, 'KERNEL_PLUGIN_UNKNOWN')
  t.match(error.message, /plugins\.provider-scriptd: unknown plugin "provider-scriptd"\. Fix: did you mean "provider-scripted"\?/)
})

t.test('unknown option key names the plugin, the key and the fix', async (t) => {
  const error = await bootError({ 'ext-a': { resolve: './a.ts', colour: 'red' } })
  t.equal(error.code, 'KERNEL_PLUGIN_OPTIONS_INVALID')
  t.match(error.message, /plugins\.ext-a: unknown key "colour"\. Fix: remove it/)
})

t.test('wrong option type', async (t) => {
  const error = await bootError({ 'ext-a': { resolve: './a.ts', size: 'big' } })
  t.equal(error.code, 'KERNEL_PLUGIN_OPTIONS_INVALID')
  t.match(error.message, /plugins\.ext-a\.size: .*expected number/i)
})

t.test('unknown kernel key and wrong kernel type', async (t) => {
  const error = await bootError({}, { dataDri: 'x', limits: { maxSteps: 'many' } })
  t.equal(error.code, 'KERNEL_CONFIG_INVALID')
  t.match(error.message, /kernel: unknown key "dataDri"/)
  t.match(error.message, /kernel\.limits\.maxSteps/)
  t.match(error.message, /has 2 problems/)
})

t.test('missing dependency', async (t) => {
  const error = await bootError({ 'ext-b': { resolve: './b.ts' } })
  t.equal(error.code, 'KERNEL_DEPENDENCY_MISSING')
  t.match(error.message, /depends on "ext-a", which is not in the config\. Fix: add "ext-a": true/)
})

t.test('an enabled plugin depending on a disabled one', async (t) => {
  const error = await bootError({ 'ext-a': false, 'ext-b': { resolve: './b.ts' } })
  t.equal(error.code, 'KERNEL_DEPENDENCY_DISABLED')
  t.match(error.message, /depends on "ext-a", which is disabled\. Fix: enable "ext-a" or disable "ext-b"/)
})

t.test('cyclic dependencies', async (t) => {
  const error = await bootError({ 'ext-c': { resolve: './c.ts' }, 'ext-d': { resolve: './d.ts' } })
  t.equal(error.code, 'KERNEL_DEPENDENCY_CYCLE')
  t.match(error.message, /dependency cycle ext-c -> ext-d -> ext-c/)
})

t.test('the id must equal the plugin name', async (t) => {
  const error = await bootError({ 'ext-a': { resolve: './wrong-name.ts' } })
  t.equal(error.code, 'KERNEL_PLUGIN_INVALID')
  t.match(error.message, /is the plugin "ext-other", not "ext-a"/)
})

t.test('a resolve target that does not exist', async (t) => {
  const error = await bootError({ 'ext-a': { resolve: 'no-such-package' } })
  t.equal(error.code, 'KERNEL_PLUGIN_UNKNOWN')
  t.match(error.message, /no-such-package/)
})

t.test('several problems are reported together in one paragraph', async (t) => {
  const error = await bootError({ 'ext-zzz': true, 'ext-a': { resolve: './a.ts', size: 'x' } })
  t.equal(error.code, 'KERNEL_CONFIG_INVALID')
  t.match(error.message, /has 2 problems\. \(1\) .* \(2\) /)
  t.notMatch(error.message, /\n/)
})

t.test('an async register is refused', async (t) => {
  const error = await bootError({ 'ext-async': { resolve: './async.ts' } })
  t.equal(error.code, 'KERNEL_REGISTER_ASYNC')
})

t.test('a missing required secret names the variable and the plugin', async (t) => {
  delete process.env.PLATFORM_TEST_MISSING_SECRET
  const { env } = await import('./config.js')
  const error = await bootError({ 'ext-a': { resolve: './a.ts', label: env('PLATFORM_TEST_MISSING_SECRET') } })
  t.equal(error.code, 'KERNEL_SECRET_MISSING')
  t.match(error.message, /plugins\.ext-a\.label: environment variable PLATFORM_TEST_MISSING_SECRET is not set/)
})
