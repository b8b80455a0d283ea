import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Plugin } from 'esbuild'
import { CODE_ROOT, PACKAGE_ROOT } from './paths.js'

/** Source folders whose compiled twins live under CODE_ROOT when the kernel runs compiled. */
const TWINNED = ['kernel', 'plugins']

export const isTypeScriptFile = (file: string): boolean => /\.[cm]?tsx?$/.test(file)

/**
 * Import a TypeScript module (the config file, a plugin given by path) into a compiled kernel, which has no
 * TypeScript loader. esbuild bundles the file with its own local imports into one ES module; imports of this
 * package's kernel/ and plugins/ sources point at their compiled twins (one kernel in the process, so `env()`
 * secrets and plugin definitions are the kernel's own); packages stay external. The module is written under
 * `<CODE_ROOT>/.imports/` so its package imports resolve from the package's node_modules.
 */
export async function importTypeScript(file: string): Promise<unknown> {
  const esbuild = await import('esbuild')
  try {
    const result = await esbuild.build({
      entryPoints: [file],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      logLevel: 'silent',
      plugins: [compiledTwins()],
    })
    const code = result.outputFiles[0].text
    const hash = createHash('sha256').update(file).update(code).digest('hex').slice(0, 12)
    const out = join(CODE_ROOT, '.imports', `${basename(file).replace(/\.[cm]?tsx?$/, '')}.${hash}.mjs`)
    mkdirSync(dirname(out), { recursive: true })
    writeFileSync(out, code)
    return await import(pathToFileURL(out).href)
  } catch (error) {
    const first = (error as { errors?: Array<{ text: string; location?: { file: string; line: number } }> }).errors?.[0]
    if (!first) throw error
    const where = first.location ? ` (${first.location.file}:${first.location.line})` : ''
    throw new Error(`${first.text}${where}`)
  } finally {
    await esbuild.stop()
  }
}

/** Point imports of kernel/ and plugins/ sources at their compiled twins; keep `import.meta` of bundled files their own. */
function compiledTwins(): Plugin {
  return {
    name: 'compiled-twins',
    setup(build) {
      build.onResolve({ filter: /^[./]/ }, (args) => {
        const target = isAbsolute(args.path) ? args.path : resolve(args.resolveDir, args.path)
        const inPackage = relative(PACKAGE_ROOT, target)
        const top = inPackage.split(/[\\/]/)[0]
        if (inPackage.startsWith('..') || !TWINNED.includes(top)) return undefined
        const twin = join(CODE_ROOT, inPackage).replace(/\.[cm]?tsx?$/, '.js')
        return { path: pathToFileURL(twin).href, external: true }
      })
      build.onLoad({ filter: /\.[cm]?tsx?$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8')
        const contents = source
          .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
          .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
          .replaceAll('import.meta.filename', JSON.stringify(args.path))
        return { contents, loader: 'ts' }
      })
    },
  }
}
