import t from 'tap'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')

function sources(dir: string): string[] {
  const out: string[] = []
  let entries: string[] = []
  try {
    entries = readdirSync(dir)
  } catch {
    return out
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue
    const file = join(dir, name)
    if (statSync(file).isDirectory()) out.push(...sources(file))
    else if (/\.(ts|mts)$/.test(name)) out.push(file)
  }
  return out
}

const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm

function imports(file: string): Array<{ spec: string; typeOnly: boolean }> {
  const text = readFileSync(file, 'utf8')
  const found: Array<{ spec: string; typeOnly: boolean }> = []
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2] ?? match[3]
    found.push({ spec, typeOnly: /^(import|export)\s+type\s/.test(match[0]) })
  }
  return found
}

const rel = (file: string) => relative(ROOT, file).split(sep).join('/')
const target = (file: string, spec: string) => rel(resolve(dirname(file), spec))

t.test('kernel/ never imports plugins/, ui/ or tui/', async (t) => {
  const bad = sources(join(ROOT, 'kernel')).flatMap((file) =>
    imports(file).filter((i) => i.spec.startsWith('.') && /^(plugins|ui|tui)\//.test(target(file, i.spec))).map((i) => `${rel(file)} -> ${i.spec}`),
  )
  t.same(bad, [])
})

t.test('kernel/protocol imports only itself and zod (it ships to the browser)', async (t) => {
  // Its tests do not ship: they may use tap, ws and the test kernel.
  const shipped = sources(join(ROOT, 'kernel', 'protocol')).filter((file) => !file.endsWith('.test.ts'))
  t.ok(shipped.some((file) => file.endsWith('client.ts')), 'the typed client is checked too')
  const bad = shipped.flatMap((file) =>
    imports(file)
      .filter((i) => (i.spec.startsWith('.') ? !target(file, i.spec).startsWith('kernel/protocol/') : i.spec !== 'zod'))
      .map((i) => `${rel(file)} -> ${i.spec}`),
  )
  t.same(bad, [])
})

t.test('plugins import the kernel only through its public index, and other plugins only as types from services.ts', async (t) => {
  const bad: string[] = []
  for (const file of sources(join(ROOT, 'plugins'))) {
    if (file.endsWith('.test.ts')) continue
    const own = rel(file).split('/').slice(0, 3).join('/')
    for (const i of imports(file)) {
      if (!i.spec.startsWith('.')) continue
      const to = target(file, i.spec)
      if (to.startsWith(own + '/')) continue
      if (to === 'kernel/index.js' || to === 'kernel/services.js' || to.startsWith('kernel/protocol/') || to.startsWith('kernel/testing/')) continue
      if (i.typeOnly && /^plugins\/[^/]+\/[^/]+\/services\.js$/.test(to)) continue
      bad.push(`${rel(file)} -> ${i.spec}`)
    }
  }
  t.same(bad, [])
})

t.test('each plugin folder plugins/<family>/<name>/ has index.ts, config or README, and its id matches', async (t) => {
  for (const family of readdirSync(join(ROOT, 'plugins'))) {
    for (const name of readdirSync(join(ROOT, 'plugins', family))) {
      const dir = join(ROOT, 'plugins', family, name)
      if (!statSync(dir).isDirectory()) continue
      const index = readFileSync(join(dir, 'index.ts'), 'utf8')
      t.match(index, new RegExp(`name: '${family}-${name}'`), `${family}/${name} is plugin ${family}-${name}`)
      t.ok(statSync(join(dir, 'README.md')).isFile(), `${family}/${name} has a README`)
      t.ok(index.split('\n').length <= 80, `${family}/${name}/index.ts only wires (<= 80 lines)`)
    }
  }
})

t.test('ui/ and tui/ talk to the server only through kernel/protocol', async (t) => {
  const bad = ['ui', 'tui'].flatMap((dir) =>
    sources(join(ROOT, dir)).flatMap((file) =>
      imports(file)
        .filter((i) => i.spec.startsWith('.') && /^(kernel|plugins)\//.test(target(file, i.spec)) && !target(file, i.spec).startsWith('kernel/protocol/'))
        .map((i) => `${rel(file)} -> ${i.spec}`),
    ),
  )
  t.same(bad, [])
})
