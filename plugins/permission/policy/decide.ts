const ENV_FILE = /(^|\/)\.env(\.[^/]*)?$/

/** `.env` and `.env.*` files are secrets; `.env.example` is not. */
export function isEnvFile(subject: string): boolean {
  return ENV_FILE.test(subject) && !/(^|\/)\.env\.example$/.test(subject)
}
