import type { Secret } from '../../../kernel/index.js'

/** Names that look like secrets: never passed to commands unless added on purpose with the `env` option. */
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL/i
const SECRET_URLS = new Set(['DATABASE_URL', 'REDIS_URL'])

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) || SECRET_URLS.has(name.toUpperCase())
}

/**
 * The environment of a command: the server's environment minus variables that look like secrets,
 * then the configured additions, and PWD set to the working directory.
 */
export function commandEnv(base: NodeJS.ProcessEnv, extra: Record<string, string | Secret>, cwd: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined && !isSecretName(name)) env[name] = value
  }
  for (const [name, value] of Object.entries(extra)) env[name] = typeof value === 'string' ? value : value.reveal()
  env.PWD = cwd
  return env
}
