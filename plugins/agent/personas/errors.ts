import { PlatformError } from '../../../kernel/index.js'

export const PersonasErrorCode = {
  FILE_INVALID: 'AGENT_PERSONAS_FILE_INVALID',
  DIR_MISSING: 'AGENT_PERSONAS_DIR_MISSING',
  DUPLICATE: 'AGENT_PERSONAS_DUPLICATE',
  AGENT_INVALID: 'AGENT_PERSONAS_AGENT_INVALID',
  PROVIDER_UNKNOWN: 'AGENT_PERSONAS_PROVIDER_UNKNOWN',
  MODEL_UNKNOWN: 'AGENT_PERSONAS_MODEL_UNKNOWN',
  AGENT_NOT_FOUND: 'AGENT_PERSONAS_AGENT_NOT_FOUND',
  AGENT_EXISTS: 'AGENT_PERSONAS_AGENT_EXISTS',
} as const

/** One problem with one agent source: `where` is a file path (with line) or a config path. */
export interface AgentProblem {
  where: string
  line?: number
  message: string
  fix: string
}

/** One boot error listing every problem at once, kernel style: `(1) where line N: message Fix: fix`. */
export function problemsError(code: string, summary: string, problems: AgentProblem[]): PlatformError {
  const listed = problems
    .map((p, i) => `(${i + 1}) ${p.where}${p.line ? ` line ${p.line}` : ''}: ${p.message}. Fix: ${p.fix}.`)
    .join(' ')
  return new PlatformError(code, `Cannot start: ${summary}. ${listed}`, { details: { problems } })
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
