import { readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, join, relative, resolve } from 'node:path'
import type { z } from 'zod'
import { PlatformError } from '../../../kernel/index.js'
import type { StaticAgent } from './catalog.js'
import { AGENT_ID, DEFAULT_AGENT_DIR, frontmatterSchema, type AgentPersonasOptions } from './config.js'
import { PersonasErrorCode, plural, problemsError, type AgentProblem } from './errors.js'
import { parseFrontmatter, splitDocument } from './frontmatter.js'
import type { PersonaDefinition } from './services.js'

export interface AgentFile {
  definition: PersonaDefinition
  /** The file as shown in messages and the API (relative to the working directory). */
  file: string
}

const FRONTMATTER_KEYS = Object.keys(frontmatterSchema.shape).join(', ')

/** Parse one agent file: frontmatter (agent fields) + markdown body (the system prompt). */
export function parseAgentFile(file: string, source: string): { agent?: PersonaDefinition; problems: AgentProblem[] } {
  const problems: AgentProblem[] = []
  const id = basename(file).replace(/\.md$/, '')
  if (!AGENT_ID.test(id)) {
    problems.push({ where: file, message: `"${id}" is not an agent id (lowercase letters, digits and dashes, starting with a letter)`, fix: 'rename the file, e.g. code-reviewer.md' })
  }
  const doc = splitDocument(source)
  const front = parseFrontmatter(doc.frontmatter, doc.firstLine)
  for (const issue of [...doc.issues, ...front.issues]) problems.push({ where: file, ...issue })
  if (problems.length > 0) return { problems }

  const parsed = frontmatterSchema.safeParse(front.data)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(schemaProblem(file, issue, front.data, front.lineOf))
    problems.sort(byLine)
  }
  const systemPrompt = doc.body.trim()
  if (!systemPrompt) {
    problems.push({ where: file, message: 'the body (the system prompt) is empty', fix: 'write the agent\'s system prompt below the closing "---" line' })
  }
  if (!parsed.success || problems.length > 0) return { problems }
  return { agent: { id, ...parsed.data, systemPrompt }, problems }
}

function schemaProblem(file: string, issue: z.core.$ZodIssue, data: Record<string, unknown>, lineOf: Record<string, number>): AgentProblem {
  const key = String(issue.path[0] ?? '')
  if (issue.code === 'unrecognized_keys') {
    const top = issue.path.length === 0
    const keys = top ? issue.keys : issue.keys.map((k) => `${issue.path.join('.')}.${k}`)
    const them = keys.length > 1 ? 'them' : 'it'
    const prompt = issue.keys.includes('systemPrompt') ? '; the system prompt is the markdown body below the frontmatter' : ''
    const fix = top ? `remove ${them}${prompt}; agent files take ${FRONTMATTER_KEYS}` : `remove ${them}; a permission rule takes tool, match and action`
    return { where: file, line: lineOf[top ? issue.keys[0] : key], message: `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}`, fix }
  }
  if (issue.path.length === 1 && data[key] === undefined) {
    return { where: file, message: `the required key "${key}" is missing`, fix: `add a "${key}: ..." line to the frontmatter` }
  }
  const path = issue.path.map(String).join('.')
  if (key === 'tools') return { where: file, line: lineOf[key], message: 'tools must be a list of tool names or "*"', fix: 'write tools: [read_file, grep] (or "- name" lines), or tools: "*" for every tool' }
  return {
    where: file,
    line: lineOf[key],
    message: `${path}: ${issue.message}`,
    fix: key === 'permissions' ? 'give a list of rules "- tool: <name>" with "action: allow | ask | deny" and an optional "match: <glob>"' : 'give it a value of the expected type (see the agent-personas README)',
  }
}

const byLine = (a: AgentProblem, b: AgentProblem) => (a.line ?? Infinity) - (b.line ?? Infinity)

/** Every `*.md` file of a folder (sorted; hidden files and sub-folders are not read). Synchronous: configuration loading. */
export function readAgentDir(dir: string, cwd = process.cwd()): { agents: AgentFile[]; problems: AgentProblem[] } {
  const agents: AgentFile[] = []
  const problems: AgentProblem[] = []
  const names = readdirSync(dir).filter((name) => name.endsWith('.md') && !name.startsWith('.')).sort()
  for (const name of names) {
    const path = join(dir, name)
    if (!statSync(path).isFile()) continue
    const file = relative(cwd, path) || path
    const result = parseAgentFile(file, readFileSync(path, 'utf8'))
    problems.push(...result.problems)
    if (result.agent) agents.push({ definition: result.agent, file })
  }
  return { agents, problems }
}

/**
 * The agents of the plugin's `agents` option and of its folder of files. The folder is read
 * synchronously during register (configuration loading, like the config file itself). A missing
 * default folder means no file agents; a missing folder set with `dir` is a boot error.
 */
export function loadStaticAgents(options: Pick<AgentPersonasOptions, 'dir' | 'agents'>, cwd = process.cwd()): StaticAgent[] {
  const agents: StaticAgent[] = Object.entries(options.agents).map(([id, fields]) => ({
    agent: { id, ...fields },
    source: 'config',
    where: `plugins.agent-personas.agents.${id} in the config file`,
  }))
  const dir = resolve(cwd, options.dir ?? DEFAULT_AGENT_DIR)
  const isDir = statSync(dir, { throwIfNoEntry: false })?.isDirectory() ?? false
  if (!isDir) {
    if (options.dir === undefined) return agents
    throw new PlatformError(PersonasErrorCode.DIR_MISSING, `Cannot start: the agent folder ${dir} (plugins.agent-personas.dir) does not exist or is not a folder. Fix: create it, correct the path (relative to the working directory ${cwd}), or remove the dir option.`, {
      details: { dir },
    })
  }
  const { agents: files, problems } = readAgentDir(dir, cwd)
  if (problems.length > 0) {
    const count = new Set(problems.map((p) => p.where)).size
    throw problemsError(PersonasErrorCode.FILE_INVALID, `${plural(count, 'agent file')} in ${relative(cwd, dir) || dir} ${count === 1 ? 'has' : 'have'} ${plural(problems.length, 'problem')}`, problems)
  }
  return [...agents, ...files.map((f): StaticAgent => ({ agent: f.definition, source: 'file', where: f.file }))]
}
