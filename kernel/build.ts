/**
 * npm run build: compile kernel/ and plugins/ (tests left out) to plain ES modules under dist/, one file per
 * source file, so `npm start` runs without a TypeScript loader in the process (less memory, faster start).
 * The config file stays TypeScript: the compiled kernel loads it through `importTypeScript`.
 */
import { readdirSync, rmSync } from 'node:fs'
import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { PACKAGE_ROOT } from './paths.js'

const SOURCES = ['kernel', 'plugins']

export function sourceFiles(root: string): string[] {
  return SOURCES.flatMap((top) =>
    readdirSync(join(root, top), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.endsWith('.d.ts'))
      .map((file) => join(top, file)),
  )
}

export async function compile(options: { root?: string; outdir?: string } = {}): Promise<{ outdir: string; files: number; ms: number }> {
  const started = performance.now()
  const root = options.root ?? PACKAGE_ROOT
  const outdir = options.outdir ?? join(root, 'dist')
  rmSync(outdir, { recursive: true, force: true })
  const files = sourceFiles(root)
  await build({ absWorkingDir: root, entryPoints: files, outdir, outbase: '.', format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' })
  return { outdir, files: files.length, ms: Math.round(performance.now() - started) }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outdir = process.argv[2]
  compile(outdir ? { outdir } : {}).then(
    (done) => console.log(`compiled ${done.files} files to ${relative(process.cwd(), done.outdir) || '.'} in ${done.ms} ms`),
    (error: Error) => {
      console.error(`build failed: ${error.message}`)
      process.exit(1)
    },
  )
}
