import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Where things are, whether the kernel runs from its TypeScript sources (through tsx) or compiled to plain
 * JavaScript under `dist/` (`npm run build`, `npm start`).
 */

/** Extension of the kernel's own modules: `.ts` from sources, `.js` compiled. Builtin plugins carry the same. */
export const MODULE_EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js'

/** True when the kernel runs compiled: then no TypeScript loader is in the process. */
export const COMPILED = MODULE_EXT === '.js'

/** The folder holding kernel/ and plugins/ as they run: the repository, or its `dist/`. */
export const CODE_ROOT = dirname(dirname(fileURLToPath(import.meta.url)))

/** The package's root (its package.json, config/, node_modules/): the first folder up from the kernel with a package.json. */
export const PACKAGE_ROOT = findPackageRoot(CODE_ROOT)

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
    if (dirname(dir) === dir) return start
  }
}
