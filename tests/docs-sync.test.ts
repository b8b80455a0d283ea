import t from 'tap'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { z } from 'zod'
import { isPluginDefinition } from '../kernel/plugin.js'
import { listHooks, createHooks } from '../kernel/hooks/index.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')

const pluginDirs = readdirSync(join(ROOT, 'plugins')).flatMap((family) =>
  readdirSync(join(ROOT, 'plugins', family))
    .filter((name) => statSync(join(ROOT, 'plugins', family, name)).isDirectory() && existsSync(join(ROOT, 'plugins', family, name, 'index.ts')))
    .map((name) => ({ id: `${family}-${name}`, dir: join(ROOT, 'plugins', family, name) })),
)

t.test('every plugin README names the plugin and lists each of its config keys', async (t) => {
  for (const { id, dir } of pluginDirs) {
    const readme = readFileSync(join(dir, 'README.md'), 'utf8')
    t.match(readme, id, `${id}: README names the plugin`)
    const mod = (await import(pathToFileURL(join(dir, 'index.ts')).href)) as { default: unknown }
    t.ok(isPluginDefinition(mod.default), `${id}: index.ts default-exports a plugin`)
    const schema = (mod.default as { configSchema?: unknown }).configSchema
    if (!(schema instanceof z.ZodObject)) continue
    for (const key of Object.keys(schema.shape)) {
      // A nested option may be documented by its sub-keys (`codeAssist.startupCalls`).
      const listed = readme.includes(`\`${key}\``) || readme.includes(`\`${key}.`)
      t.ok(listed, `${id}: README lists config key \`${key}\``)
    }
  }
})

t.test('every kernel hook is documented in kernel/README.md', async (t) => {
  const readme = readFileSync(join(ROOT, 'kernel', 'README.md'), 'utf8')
  for (const [name] of listHooks(createHooks())) {
    t.ok(readme.includes(`| \`${name}\` |`), `${name} has a row in the hook table`)
  }
})
