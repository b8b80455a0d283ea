import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { REPO_ROOT } from '../config-file.js'

export interface OutsideFolder {
  dir: string
  /** Path of a file inside the folder. */
  path(name: string): string
  remove(): void
}

/**
 * A temporary folder outside the repository, laid out like a third party's project: the given files,
 * plus node_modules with `agent-platform` (this repository, by its package name) and `zod`.
 */
export function createOutsideFolder(files: Record<string, string>): OutsideFolder {
  const dir = mkdtempSync(join(tmpdir(), 'platform-outside-'))
  mkdirSync(join(dir, 'node_modules'), { recursive: true })
  symlinkSync(REPO_ROOT, join(dir, 'node_modules', 'agent-platform'), 'dir')
  symlinkSync(join(REPO_ROOT, 'node_modules', 'zod'), join(dir, 'node_modules', 'zod'), 'dir')
  for (const [name, content] of Object.entries(files)) {
    const file = join(dir, name)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, content)
  }
  return { dir, path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) }
}
