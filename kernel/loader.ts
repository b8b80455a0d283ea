import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, isAbsolute, join, resolve as resolvePath } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { z } from 'zod'
import { kernelConfigSchema, resolveSecrets, type KernelConfig, type PlatformConfigInput } from './config.js'
import { KernelErrorCode, PlatformError } from './errors.js'
import { COMPILED, MODULE_EXT } from './paths.js'
import { isPluginDefinition, type PluginDefinition } from './plugin.js'
import { importTypeScript, isTypeScriptFile } from './typescript-import.js'

/** Where the repository's own plugins live: plugins/<family>/<name>/index.ts (index.js when compiled). */
export const BUILTIN_PLUGIN_ROOT = fileURLToPath(new URL('../plugins/', import.meta.url))
const PLUGIN_ID = /^[a-z][a-z0-9]*-[a-z][a-z0-9-]*$/

export interface ConfigIssue {
  /** Dotted location in the config file, e.g. `plugins.server-http.port`. */
  path: string
  message: string
  fix: string
  code: string
}

export interface LoadedPlugin {
  id: string
  definition: PluginDefinition
  options: unknown
  source: string
}

export interface LoadResult {
  kernel: KernelConfig
  plugins: LoadedPlugin[]
  disabled: string[]
}

/** Thrown when the config cannot boot; `message` is one paragraph listing every issue. */
export function configError(file: string, issues: ConfigIssue[]): PlatformError {
  const listed = issues.map((issue, i) => `(${i + 1}) ${issue.path}: ${issue.message} Fix: ${issue.fix}`).join(' ')
  const noun = issues.length === 1 ? 'problem' : 'problems'
  return new PlatformError(
    issues.length === 1 ? issues[0].code : KernelErrorCode.CONFIG_INVALID,
    `Cannot start: the config file ${file} has ${issues.length} ${noun}. ${listed}`,
    { details: { file, issues } },
  )
}

/** Every builtin plugin id found on disk. */
export function builtinPluginIds(): string[] {
  if (!existsSync(BUILTIN_PLUGIN_ROOT)) return []
  const ids: string[] = []
  for (const family of readdirSync(BUILTIN_PLUGIN_ROOT, { withFileTypes: true })) {
    if (!family.isDirectory()) continue
    for (const name of readdirSync(join(BUILTIN_PLUGIN_ROOT, family.name), { withFileTypes: true })) {
      if (name.isDirectory() && existsSync(join(BUILTIN_PLUGIN_ROOT, family.name, name.name, `index${MODULE_EXT}`))) {
        ids.push(`${family.name}-${name.name}`)
      }
    }
  }
  return ids.sort()
}

function builtinPath(id: string): string | null {
  if (!PLUGIN_ID.test(id)) return null
  const dash = id.indexOf('-')
  const file = join(BUILTIN_PLUGIN_ROOT, id.slice(0, dash), id.slice(dash + 1), `index${MODULE_EXT}`)
  return existsSync(file) ? file : null
}

/** Resolve a `resolve:` value: a path (relative to the config file) or a package name. */
export function resolvePluginSpecifier(specifier: string, configFile: string): string {
  const base = dirname(configFile)
  if (specifier.startsWith('.') || isAbsolute(specifier)) return resolvePath(base, specifier)
  try {
    return createRequire(configFile).resolve(specifier)
  } catch {
    return resolvePackageEntry(specifier, base)
  }
}

/** ESM-only packages: find node_modules/<name>/package.json upwards and read its entry. */
function resolvePackageEntry(name: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkgDir = join(dir, 'node_modules', name)
    if (existsSync(join(pkgDir, 'package.json'))) {
      const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as Record<string, unknown>
      const exp = pkg.exports as unknown
      const dot = typeof exp === 'string' ? exp : (exp as Record<string, unknown> | undefined)?.['.'] ?? exp
      const entry =
        typeof dot === 'string' ? dot : ((dot as Record<string, string> | undefined)?.import ?? (dot as Record<string, string> | undefined)?.default)
      return join(pkgDir, entry ?? (pkg.main as string | undefined) ?? 'index.js')
    }
    if (dirname(dir) === dir) throw new Error(`package "${name}" was not found in any node_modules folder above ${from}`)
  }
}

function closest(id: string, known: string[]): string | undefined {
  const score = (a: string, b: string) => {
    const dp = Array.from({ length: b.length + 1 }, (_, j) => j)
    for (let i = 1; i <= a.length; i++) {
      let prev = dp[0]
      dp[0] = i
      for (let j = 1; j <= b.length; j++) {
        const tmp = dp[j]
        dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
        prev = tmp
      }
    }
    return dp[b.length]
  }
  const best = known.map((k) => [k, score(id, k)] as const).sort((a, b) => a[1] - b[1])[0]
  return best && best[1] <= 3 ? best[0] : undefined
}

function zodIssues(prefix: string, error: z.ZodError, code: string): ConfigIssue[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].join('.')
    if (issue.code === 'unrecognized_keys') {
      return {
        path,
        code,
        message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}.`,
        fix: 'remove it or check the spelling against the plugin README.',
      }
    }
    return { path, code, message: `${issue.message}.`, fix: 'give it a value of the expected type (see the plugin README).' }
  })
}

async function importPlugin(id: string, entry: unknown, configFile: string, known: string[]): Promise<LoadedPlugin | ConfigIssue> {
  const custom = typeof entry === 'object' && entry !== null && typeof (entry as { resolve?: unknown }).resolve === 'string'
  let file: string | null
  try {
    file = custom ? resolvePluginSpecifier((entry as { resolve: string }).resolve, configFile) : builtinPath(id)
  } catch (error) {
    return { path: `plugins.${id}.resolve`, code: KernelErrorCode.PLUGIN_UNKNOWN, message: String((error as Error).message) + '.', fix: 'install the package or correct the path.' }
  }
  if (!file) {
    const hint = closest(id, known)
    return {
      path: `plugins.${id}`,
      code: KernelErrorCode.PLUGIN_UNKNOWN,
      message: `unknown plugin "${id}".`,
      fix: hint ? `did you mean "${hint}"? ` + 'Otherwise remove the entry or add `resolve` with a package name or path.' : 'remove the entry, or add `resolve` with a package name or path. Known plugins: ' + known.join(', ') + '.',
    }
  }
  let mod: { default?: unknown }
  try {
    mod = (COMPILED && isTypeScriptFile(file) ? await importTypeScript(file) : await import(pathToFileURL(file).href)) as { default?: unknown }
  } catch (error) {
    return { path: `plugins.${id}`, code: KernelErrorCode.PLUGIN_INVALID, message: `importing ${file} failed: ${(error as Error).message}.`, fix: 'fix the plugin module.' }
  }
  const definition = mod.default
  if (!isPluginDefinition(definition)) {
    return { path: `plugins.${id}`, code: KernelErrorCode.PLUGIN_INVALID, message: `${file} does not default-export a plugin.`, fix: 'export default definePlugin({ name, register }).' }
  }
  if (definition.name !== id) {
    return { path: `plugins.${id}`, code: KernelErrorCode.PLUGIN_INVALID, message: `the module at ${file} is the plugin "${definition.name}", not "${id}".`, fix: `rename the config key to "${definition.name}".` }
  }
  return { id, definition, options: undefined, source: file }
}

function parseOptions(plugin: LoadedPlugin, entry: unknown, issues: ConfigIssue[]): void {
  const raw = entry === true ? {} : { ...(entry as Record<string, unknown>) }
  delete (raw as Record<string, unknown>).resolve
  const missing: string[] = []
  const resolved = resolveSecrets(raw, ['plugins', plugin.id], missing)
  for (const message of missing) {
    issues.push({ path: message.split(':')[0], code: KernelErrorCode.SECRET_MISSING, message: message.split(': ')[1] + '.', fix: 'export the variable or mark it env(name, { optional: true }).' })
  }
  let schema = plugin.definition.configSchema ?? z.object({})
  if (schema instanceof z.ZodObject) schema = schema.strict()
  const parsed = schema.safeParse(resolved)
  if (parsed.success) plugin.options = parsed.data
  else issues.push(...zodIssues(`plugins.${plugin.id}`, parsed.error, KernelErrorCode.PLUGIN_OPTIONS_INVALID))
}

/** Config -> enabled set -> import -> parse options -> dependency checks -> topological order. */
export async function loadPlugins(config: PlatformConfigInput, configFile: string): Promise<LoadResult> {
  const issues: ConfigIssue[] = []
  if (typeof config !== 'object' || config === null || typeof config.plugins !== 'object' || config.plugins === null) {
    throw configError(configFile, [{ path: 'plugins', code: KernelErrorCode.CONFIG_INVALID, message: 'the config has no plugins object.', fix: 'export default defineConfig({ plugins: { ... } }).' }])
  }
  const unknownTop = Object.keys(config).filter((k) => k !== 'kernel' && k !== 'plugins')
  for (const key of unknownTop) issues.push({ path: key, code: KernelErrorCode.CONFIG_INVALID, message: `unknown top-level key "${key}".`, fix: 'only `kernel` and `plugins` are allowed.' })
  const kernelParsed = kernelConfigSchema.safeParse(resolveSecrets(config.kernel ?? {}, ['kernel'], []))
  if (!kernelParsed.success) issues.push(...zodIssues('kernel', kernelParsed.error, KernelErrorCode.CONFIG_INVALID))

  const known = builtinPluginIds()
  const entries = Object.entries(config.plugins)
  const disabled = entries.filter(([, v]) => v === false).map(([k]) => k)
  const loaded: LoadedPlugin[] = []
  for (const [id, entry] of entries) {
    if (entry === false) continue
    if (entry !== true && (typeof entry !== 'object' || entry === null || Array.isArray(entry))) {
      issues.push({ path: `plugins.${id}`, code: KernelErrorCode.PLUGIN_OPTIONS_INVALID, message: `expected true, false or an options object, got ${JSON.stringify(entry)}.`, fix: 'use true for defaults, false to disable, or an object of options.' })
      continue
    }
    const result = await importPlugin(id, entry, configFile, known)
    if ('definition' in result) {
      parseOptions(result, entry, issues)
      loaded.push(result)
    } else issues.push(result)
  }
  const ordered = orderPlugins(loaded, new Set(disabled), issues)
  if (issues.length > 0) throw configError(configFile, issues)
  return { kernel: kernelParsed.data as KernelConfig, plugins: ordered, disabled }
}

/** Check dependsOn, reject cycles and sort topologically, ties broken by id. */
export function orderPlugins(plugins: LoadedPlugin[], disabled: ReadonlySet<string>, issues: ConfigIssue[]): LoadedPlugin[] {
  const byId = new Map(plugins.map((p) => [p.id, p]))
  const edges = new Map<string, string[]>()
  for (const plugin of plugins) {
    const hard = plugin.definition.dependsOn ?? []
    for (const dep of hard) {
      if (byId.has(dep)) continue
      issues.push(
        disabled.has(dep)
          ? { path: `plugins.${plugin.id}`, code: KernelErrorCode.DEPENDENCY_DISABLED, message: `depends on "${dep}", which is disabled.`, fix: `enable "${dep}" or disable "${plugin.id}".` }
          : { path: `plugins.${plugin.id}`, code: KernelErrorCode.DEPENDENCY_MISSING, message: `depends on "${dep}", which is not in the config.`, fix: `add "${dep}": true to plugins.` },
      )
    }
    const optional = (plugin.definition.optionalDependsOn ?? []).filter((d) => byId.has(d))
    edges.set(plugin.id, [...hard.filter((d) => byId.has(d)), ...optional])
  }
  const order: LoadedPlugin[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (id: string, trail: string[]): void => {
    if (state.get(id) === 'done') return
    if (state.get(id) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(id)), id].join(' -> ')
      if (!issues.some((i) => i.code === KernelErrorCode.DEPENDENCY_CYCLE && i.message.includes(cycle)))
        issues.push({ path: `plugins.${id}`, code: KernelErrorCode.DEPENDENCY_CYCLE, message: `dependency cycle ${cycle}.`, fix: 'remove one of these dependsOn links.' })
      return
    }
    state.set(id, 'visiting')
    for (const dep of [...(edges.get(id) ?? [])].sort()) visit(dep, [...trail, id])
    state.set(id, 'done')
    order.push(byId.get(id)!)
  }
  for (const id of [...byId.keys()].sort()) visit(id, [])
  return order
}
