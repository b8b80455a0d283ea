import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { PlatformConfigInput } from './config.js'
import { KernelErrorCode, PlatformError } from './errors.js'
import { COMPILED, PACKAGE_ROOT } from './paths.js'
import { importTypeScript, isTypeScriptFile } from './typescript-import.js'

export const REPO_ROOT = PACKAGE_ROOT
export const DEFAULT_CONFIG_FILE = 'config/platform.config.ts'

/** Find the config file: the given path (relative to cwd), else config/platform.config.ts in cwd, else in the repository. */
export function locateConfigFile(given?: string): string {
  if (given) return resolve(process.cwd(), given)
  const local = resolve(process.cwd(), DEFAULT_CONFIG_FILE)
  return existsSync(local) ? local : resolve(REPO_ROOT, DEFAULT_CONFIG_FILE)
}

/** Import the config file's default export. */
export async function loadConfigFile(file: string): Promise<PlatformConfigInput> {
  if (!existsSync(file)) {
    throw new PlatformError(KernelErrorCode.CONFIG_NOT_FOUND, `Cannot start: the config file ${file} does not exist. Fix: pass --config <file> or create ${DEFAULT_CONFIG_FILE}.`, { details: { file } })
  }
  let mod: { default?: unknown }
  try {
    mod = (COMPILED && isTypeScriptFile(file) ? await importTypeScript(file) : await import(pathToFileURL(file).href)) as { default?: unknown }
  } catch (error) {
    throw new PlatformError(KernelErrorCode.CONFIG_INVALID, `Cannot start: the config file ${file} failed to load: ${(error as Error).message.split('\n')[0]} Fix: correct the file (it must default-export defineConfig({...})).`, { details: { file } })
  }
  if (typeof mod.default !== 'object' || mod.default === null) {
    throw new PlatformError(KernelErrorCode.CONFIG_INVALID, `Cannot start: the config file ${file} has no default export. Fix: export default defineConfig({ kernel, plugins }).`, { details: { file } })
  }
  return mod.default as PlatformConfigInput
}
