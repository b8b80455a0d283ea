/**
 * Agents created through the API are stored with persistence-postgres: DATABASE_URL's server when
 * set, an in-memory PGlite otherwise. The database outlives each kernel, so restarts are real.
 */
import t from 'tap'
import { bootPersonas, sharedDatabase } from './test-support.js'

const db = await sharedDatabase()
t.teardown(() => db.close())

const WRITER = { id: 'writer', name: 'Writer', description: 'Writes docs', systemPrompt: 'You write docs.', provider: 'scripted', model: 'review-model', tools: ['read_file'], permissions: [{ tool: 'read_file', match: 'docs/**', action: 'allow' }] }

t.test('a created agent survives a restart, keeps its fields and source, and still starts sessions', async (t) => {
  const schema = db.newSchema()
  const first = await bootPersonas(t, {}, { 'persistence-postgres': db.entry(schema) })
  const created = await first.call('POST', '/api/agents', WRITER)
  t.equal(created.status, 201)
  const rows = await first.tk.kernel.resolve('persistencePostgres').query<Record<string, unknown>>(`select "id", "provider_id", "model_id", "tools", "permissions" from "${schema}"."agent_persona"`)
  t.same(rows, [{ id: 'writer', provider_id: 'scripted', model_id: 'review-model', tools: ['read_file'], permissions: WRITER.permissions }])
  t.same((await first.call('GET', '/api/agents')).json.filter((a: { source: string }) => a.source === 'api').map((a: { id: string }) => a.id), ['writer'])
  await first.tk.close()

  const second = await bootPersonas(t, {}, { 'persistence-postgres': db.entry(schema) })
  const loaded = await second.call('GET', '/api/agents/writer')
  t.equal(loaded.status, 200)
  t.same(loaded.json, created.json, 'same fields, source api and createdAt after the restart')
  const session = await second.call('POST', '/api/sessions', { agent: 'writer' })
  t.equal(session.status, 201)
  t.match(session.json, { agent: 'writer', provider: 'scripted', model: 'review-model', tools: ['read_file'] })
  const again = await second.call('POST', '/api/agents', WRITER)
  t.equal(again.status, 409)
  t.equal(again.json.error.code, 'AGENT_PERSONAS_AGENT_EXISTS')
})

t.test('concurrent creates of one id: one 201, one 409, one row', async (t) => {
  const schema = db.newSchema()
  const booted = await bootPersonas(t, {}, { 'persistence-postgres': db.entry(schema) })
  const results = await Promise.all([booted.call('POST', '/api/agents', WRITER), booted.call('POST', '/api/agents', WRITER)])
  t.same(results.map((r) => r.status).sort(), [201, 409])
  const rows = await booted.tk.kernel.resolve('persistencePostgres').query(`select "id" from "${schema}"."agent_persona"`)
  t.equal(rows.length, 1)
})

t.test('a stored agent whose id a config agent now takes is not loaded (warned), the config one wins', async (t) => {
  const schema = db.newSchema()
  const first = await bootPersonas(t, {}, { 'persistence-postgres': db.entry(schema) })
  t.equal((await first.call('POST', '/api/agents', WRITER)).status, 201)
  await first.tk.close()

  const config = { systemPrompt: 'Config writer.', provider: 'scripted', model: 'demo' }
  const second = await bootPersonas(t, { agents: { writer: config } }, { 'persistence-postgres': db.entry(schema) })
  t.match((await second.call('GET', '/api/agents/writer')).json, { source: 'config', systemPrompt: 'Config writer.' })
  t.ok(second.tk.logLines.some((line) => line.includes('shadowed') && line.includes('"agent":"writer"')), 'a warning names the agent')
})
