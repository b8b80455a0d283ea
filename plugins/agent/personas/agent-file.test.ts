import t from 'tap'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isPlatformError } from '../../../kernel/index.js'
import { loadStaticAgents, parseAgentFile, readAgentDir } from './agent-file.js'
import { configSchema } from './config.js'

const here = fileURLToPath(new URL('.', import.meta.url))
const fixtures = join(here, 'fixtures')

t.test('agent files: frontmatter fields, body as system prompt, id from the file name', async (t) => {
  const { agents, problems } = readAgentDir(join(fixtures, 'agents'), fixtures)
  t.same(problems, [])
  t.same(
    agents.map((a) => a.file),
    ['agents/planner.md', 'agents/reviewer.md'],
    'sorted, hidden files skipped, paths relative to the working directory',
  )
  t.same(agents[1].definition, {
    id: 'reviewer',
    name: 'Code reviewer',
    description: 'Reviews changes: correctness first, then style',
    provider: 'scripted',
    model: 'review-model',
    tools: ['read_file', 'grep'],
    permissions: [
      { tool: 'run_command', match: 'git diff *', action: 'allow' },
      { tool: 'write_file', action: 'deny' },
    ],
    systemPrompt: 'You review code. Point out bugs first, then style.\n\nNever edit files.',
  })
  t.same(agents[0].definition, { id: 'planner', name: 'Planner', description: '', provider: 'scripted', model: 'demo', tools: '*', permissions: [], systemPrompt: 'You plan work in small steps.' })
})

t.test('bad files: each problem names the file, the line and a fix', async (t) => {
  const { agents, problems } = readAgentDir(join(fixtures, 'bad'), fixtures)
  t.same(agents, [])
  const byFile = (file: string) => problems.filter((p) => p.where === `bad/${file}`)
  t.match(byFile('Bad_Name.md'), [{ message: /"Bad_Name" is not an agent id/, fix: /rename the file/ }])
  t.match(byFile('colon.md'), [{ line: 2, message: /contains ": "/, fix: /quotes/ }])
  const fields = byFile('fields.md')
  t.match(fields, [
    { line: 3, message: 'unknown keys "color", "systemPrompt"', fix: /^remove them; the system prompt is the markdown body.*agent files take name, description, provider, model, tools, permissions/ },
    { line: 5, message: 'tools must be a list of tool names or "*"', fix: /"\*" for every tool/ },
    { line: 6, message: /^permissions\.0\.action: /, fix: /allow \| ask \| deny/ },
    { line: undefined, message: 'the required key "model" is missing', fix: /add a "model: \.\.\." line/ },
  ])
  t.equal(fields.length, 4)
  t.match(byFile('empty-body.md'), [{ message: 'the body (the system prompt) is empty' }])
  t.match(byFile('no-front.md'), [{ line: 1, message: /does not start with a "---" line/ }])
})

t.test('parseAgentFile: a lone problem in an otherwise good file', async (t) => {
  const result = parseAgentFile('x/ok.md', '---\nprovider: scripted\nmodel: demo\npermissions:\n  - tool: a\n    action: deny\n    pattern: "*"\n---\nHi\n')
  t.match(result.problems, [{ where: 'x/ok.md', line: 4, message: 'unknown key "permissions.0.pattern"', fix: /tool, match and action/ }])
  t.notOk(result.agent)
})

t.test('loadStaticAgents: option agents, default and explicit dir, one boot error for every bad file', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'personas-'))
  t.teardown(() => rmSync(cwd, { recursive: true, force: true }))
  const options = configSchema.parse({ agents: { helper: { systemPrompt: 'Help.', provider: 'scripted', model: 'demo' } } })
  const fromOptions = loadStaticAgents(options, cwd)
  t.same(fromOptions, [
    {
      agent: { id: 'helper', description: '', systemPrompt: 'Help.', provider: 'scripted', model: 'demo', tools: '*', permissions: [] },
      source: 'config',
      where: 'plugins.agent-personas.agents.helper in the config file',
    },
  ], 'no config/agents folder: only the option agents')

  const missing = t.throws(() => loadStaticAgents({ ...options, dir: 'nowhere' }, cwd)) as unknown
  t.ok(isPlatformError(missing))
  t.match(missing, { code: 'AGENT_PERSONAS_DIR_MISSING', message: /nowhere.*plugins\.agent-personas\.dir.*does not exist/ })

  const error = t.throws(() => loadStaticAgents({ ...options, dir: join(fixtures, 'bad') }, fixtures)) as Error & { code: string }
  t.equal(error.code, 'AGENT_PERSONAS_FILE_INVALID')
  t.match(error.message, /^Cannot start: 5 agent files in bad have 8 problems\. \(1\) bad\/Bad_Name\.md: "Bad_Name" is not an agent id/)
  t.match(error.message, /\(2\) bad\/colon\.md line 2: the value "Reviews: code" contains ": "\. Fix: put the value in quotes/)

  const dir = join(cwd, 'config', 'agents')
  await import('node:fs').then((fs) => fs.mkdirSync(dir, { recursive: true }))
  writeFileSync(join(dir, 'writer.md'), '---\nprovider: scripted\nmodel: demo\n---\nWrite.\n')
  t.same(
    loadStaticAgents(options, cwd).map((a) => [a.agent.id, a.source, a.where]),
    [['helper', 'config', 'plugins.agent-personas.agents.helper in the config file'], ['writer', 'file', 'config/agents/writer.md']],
    'config/agents under the working directory is read by default',
  )
})

t.test('config: agent ids and instruction file names are checked', async (t) => {
  t.notOk(configSchema.safeParse({ agents: { Bad: { systemPrompt: 'x', provider: 'p', model: 'm' } } }).success)
  t.notOk(configSchema.safeParse({ agents: { ok: { systemPrompt: 'x', provider: 'p', model: 'm', colour: 'red' } } }).success, 'agents are strict')
  t.notOk(configSchema.safeParse({ instructionFiles: ['docs/AGENTS.md'] }).success, 'names, not paths')
  t.same(configSchema.parse({}).instructionFiles, ['AGENTS.md', 'LLXPRT.md', 'GEMINI.md', 'CLAUDE.md'])
})
