import t from 'tap'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { waitFor } from '../../../kernel/testing/wait.js'
import { AGENT_DIR, bootPersonas, FIXTURES, type Booted } from './test-support.js'

const HELPER = { systemPrompt: 'You help.', provider: 'scripted', model: 'demo', tools: ['list_dir'], description: 'From the config file' }

t.test('GET /api/agents lists config, file and kernel agents; GET /api/agents/:id gives the details', async (t) => {
  const { call } = await bootPersonas(t, { agents: { helper: HELPER } })
  const list = await call('GET', '/api/agents')
  t.equal(list.status, 200)
  t.same(list.json, [
    { id: 'demo', name: 'demo', description: '', provider: 'scripted', model: 'demo', tools: '*', source: 'config' },
    { id: 'helper', name: 'helper', description: 'From the config file', provider: 'scripted', model: 'demo', tools: ['list_dir'], source: 'config' },
    { id: 'planner', name: 'Planner', description: '', provider: 'scripted', model: 'demo', tools: '*', source: 'file' },
    { id: 'reviewer', name: 'Code reviewer', description: 'Reviews changes: correctness first, then style', provider: 'scripted', model: 'review-model', tools: ['read_file', 'grep'], source: 'file' },
  ])
  const reviewer = await call('GET', '/api/agents/reviewer')
  t.equal(reviewer.status, 200)
  t.same(reviewer.json, {
    ...list.json[3],
    systemPrompt: 'You review code. Point out bugs first, then style.\n\nNever edit files.',
    permissions: [
      { tool: 'run_command', match: 'git diff *', action: 'allow' },
      { tool: 'write_file', action: 'deny' },
    ],
    file: relative(process.cwd(), join(AGENT_DIR, 'reviewer.md')),
  })
  const missing = await call('GET', '/api/agents/ghost')
  t.equal(missing.status, 404)
  t.match(missing.json.error, { code: 'AGENT_PERSONAS_AGENT_NOT_FOUND', message: /No agent has the id "ghost"; list them with GET \/api\/agents/ })
})

t.test('the agentPersonas service: permission rules for permission-policy', async (t) => {
  const { tk } = await bootPersonas(t)
  const personas = tk.kernel.resolve('agentPersonas')
  t.same(personas.permissionsOf('reviewer').map((r) => r.action), ['allow', 'deny'])
  t.same(personas.permissionsOf('demo'), [], 'a kernel config agent has none')
  t.same(personas.permissionsOf('ghost'), [])
})

t.test('POST /api/agents: 201, then usable; 400 unknown provider or model or bad body; 409 taken id', async (t) => {
  const { call } = await bootPersonas(t)
  const body = { id: 'writer', name: 'Writer', systemPrompt: 'You write docs.', provider: 'scripted', model: 'review-model', tools: ['read_file'], permissions: [{ tool: 'read_file', action: 'allow' }] }
  const created = await call('POST', '/api/agents', body)
  t.equal(created.status, 201)
  t.match(created.json, { ...body, description: '', source: 'api', createdAt: /^\d{4}-\d\d-\d\dT/ })
  t.same((await call('GET', '/api/agents/writer')).json, created.json)
  t.ok((await call('GET', '/api/agents')).json.some((a: { id: string; source: string }) => a.id === 'writer' && a.source === 'api'))

  const session = await call('POST', '/api/sessions', { agent: 'writer' })
  t.equal(session.status, 201)
  t.match(session.json, { agent: 'writer', provider: 'scripted', model: 'review-model', tools: ['read_file'] })

  const again = await call('POST', '/api/agents', body)
  t.equal(again.status, 409)
  t.match(again.json.error, { code: 'AGENT_PERSONAS_AGENT_EXISTS', message: /"writer" already exists \(defined by the API\)/ })
  const fileId = await call('POST', '/api/agents', { ...body, id: 'reviewer' })
  t.equal(fileId.status, 409)
  t.match(fileId.json.error, { code: 'AGENT_PERSONAS_AGENT_EXISTS', message: /defined by .*reviewer\.md/, details: { source: 'file' } })

  const provider = await call('POST', '/api/agents', { ...body, id: 'p1', provider: 'nope' })
  t.equal(provider.status, 400)
  t.match(provider.json.error, { code: 'AGENT_PERSONAS_PROVIDER_UNKNOWN', message: /provider "nope" is not enabled \(enabled providers: scripted\)/, details: { known: ['scripted'] } })
  const model = await call('POST', '/api/agents', { ...body, id: 'p2', model: 'gpt-9' })
  t.equal(model.status, 400)
  t.match(model.json.error, { code: 'AGENT_PERSONAS_MODEL_UNKNOWN', message: /provider "scripted" has no model "gpt-9" \(its models: demo, review-model\)/ })
  const invalid = await call('POST', '/api/agents', { id: 'Bad Id', provider: 'scripted', model: 'demo', colour: 'red' })
  t.equal(invalid.status, 400)
  t.equal(invalid.json.error.code, 'REQUEST_INVALID')
  t.match(invalid.json.error.message, /body\.id: an agent id/)
  t.match(invalid.json.error.message, /body\.systemPrompt/)
  t.match(invalid.json.error.message, /body\.colour: unknown field/)
  t.equal((await call('GET', '/api/agents/p1')).status, 404, 'nothing was added by the refused requests')
})

async function runTurn(booted: Booted, sessionBody: Record<string, unknown>) {
  const session = await booted.call('POST', '/api/sessions', sessionBody)
  if (session.status !== 201) throw new Error(`session: ${JSON.stringify(session.json)}`)
  const scripted = booted.tk.kernel.resolve('providerScripted')
  const before = scripted.requests().length
  const posted = await booted.call('POST', `/api/sessions/${session.json.id}/messages`, { text: 'hello' })
  if (posted.status !== 202) throw new Error(`message: ${JSON.stringify(posted.json)}`)
  await waitFor(async () => (await booted.call('GET', `/api/sessions/${session.json.id}`)).json.status === 'idle' && scripted.requests().length > before, 'the turn to finish')
  return { session: session.json, request: scripted.requests()[before].request }
}

t.test('a session of a file agent gets its provider, model, tools and prompt, plus the workspace instructions', async (t) => {
  const booted = await bootPersonas(t, { instructionMaxBytes: 1024 })
  const base = mkdtempSync(join(tmpdir(), 'personas-ws-'))
  t.teardown(() => rmSync(base, { recursive: true, force: true }))
  const workspace = join(base, 'repo', 'app')
  mkdirSync(join(base, 'repo', '.git'), { recursive: true })
  mkdirSync(workspace, { recursive: true })
  writeFileSync(join(base, 'AGENTS.md'), 'Outside the repository: never sent.')
  writeFileSync(join(base, 'repo', 'AGENTS.md'), 'Run npm test before you answer.')
  writeFileSync(join(workspace, 'CLAUDE.md'), 'The app uses tabs.')
  writeFileSync(join(workspace, 'GEMINI.md'), 'x'.repeat(2000))

  const { session, request } = await runTurn(booted, { agent: 'reviewer', workspace })
  t.match(session, { agent: 'reviewer', provider: 'scripted', model: 'review-model', tools: ['read_file', 'grep'], workspace })
  t.same(request.tools.map((tool: { name: string }) => tool.name), ['read_file', 'grep'], 'the model is offered the agent\'s tools')
  t.match(request.system, /^You review code\. Point out bugs first, then style\.\n\nNever edit files\.\n\n---\n\n# Project instructions\n/)
  t.match(request.system, '--- Context from: ../AGENTS.md ---\nRun npm test before you answer.\n--- End of Context from: ../AGENTS.md ---')
  t.match(request.system, '--- Context from: CLAUDE.md ---\nThe app uses tabs.\n--- End of Context from: CLAUDE.md ---')
  t.match(request.system, /--- Context from: GEMINI\.md ---\nx{975}\n\[truncated: 975 of 2000 bytes shown/, 'the big file is cut so all fit in instructionMaxBytes')
  t.notMatch(request.system, 'Outside the repository')
  t.ok(request.system.indexOf('../AGENTS.md') < request.system.indexOf('GEMINI.md ---') && request.system.indexOf('GEMINI.md ---') < request.system.indexOf('CLAUDE.md ---'), 'outermost first, then the option order')

  const planner = await runTurn(booted, { agent: 'planner', workspace: base })
  t.same(planner.session.tools, ['*'], 'tools "*": every registered tool, now or later')
  t.same(planner.request.tools.map((x: { name: string }) => x.name).sort(), ['grep', 'list_dir', 'read_file'], 'offered: every registered tool')
  t.match(planner.request.system, /^You plan work in small steps\.\n\n---\n\n# Project instructions/)
  t.match(planner.request.system, '--- Context from: AGENTS.md ---\nOutside the repository: never sent.')
})

t.test('instructionFiles: [] sends the agent prompt alone', async (t) => {
  const booted = await bootPersonas(t, { instructionFiles: [] })
  const workspace = mkdtempSync(join(tmpdir(), 'personas-ws-'))
  t.teardown(() => rmSync(workspace, { recursive: true, force: true }))
  writeFileSync(join(workspace, 'AGENTS.md'), 'Ignored.')
  const { request } = await runTurn(booted, { agent: 'planner', workspace })
  t.equal(request.system, 'You plan work in small steps.')
})

t.test('boot errors: bad files, duplicate ids, unknown providers and models', async (t) => {
  const boot = (personas: Record<string, unknown>, models = ['demo']) =>
    bootPersonas(t, personas, { 'provider-scripted': { chunkDelayMs: 0, models } }).then(
      () => t.fail('booted'),
      (error: Error & { code: string }) => error,
    )
  const bad = (await boot({ dir: join(FIXTURES, 'bad') })) as Error & { code: string }
  t.equal(bad.code, 'AGENT_PERSONAS_FILE_INVALID')
  t.match(bad.message, /^Cannot start: 5 agent files in .*fixtures\/bad have 8 problems\. \(1\) .*Bad_Name\.md: /)

  const duplicate = (await boot({ agents: { demo: HELPER } })) as Error & { code: string }
  t.equal(duplicate.code, 'AGENT_PERSONAS_DUPLICATE')
  t.match(duplicate.message, 'Cannot start: 1 agent id defined twice. (1) plugins.agent-personas.agents.demo in the config file: the agent id "demo" is already defined by kernel.agents.demo in the config file.')
  const fileDuplicate = (await boot({ agents: { reviewer: HELPER } })) as Error & { code: string }
  t.match(fileDuplicate.message, /reviewer\.md: the agent id "reviewer" is already defined by plugins\.agent-personas\.agents\.reviewer/)

  const unavailable = (await boot({ agents: { helper: { ...HELPER, provider: 'nope' } } })) as Error & { code: string }
  t.equal(unavailable.code, 'AGENT_PERSONAS_AGENT_INVALID')
  t.match(unavailable.message, 'Cannot start: 2 agents name a provider or model that is not available.')
  t.match(unavailable.message, /plugins\.agent-personas\.agents\.helper in the config file: provider "nope" is not enabled \(enabled providers: scripted\)\. Fix: enable its provider plugin/)
  t.match(unavailable.message, /reviewer\.md: provider "scripted" has no model "review-model" \(its models: demo\)\. Fix: pick one of its models\./)
})
