/** A second official server, server-memory (stdio): a knowledge graph kept in a JSONL file we choose. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createTestToolContext } from '../../../kernel/testing/index.js'
import { bootMcp, MEMORY } from './test-support.js'

t.test('server-memory: kinds from its annotations, entities written to its file and found again', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-memory-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'memory.jsonl')
  const { tk } = await bootMcp(t, { servers: { memory: { transport: 'stdio', command: process.execPath, args: [MEMORY], env: { MEMORY_FILE_PATH: file } } } })
  const tools = tk.kernel.resolve('registries').tools
  t.equal(tools.get('memory__read_graph')?.kind, 'read')
  t.equal(tools.get('memory__delete_entities')?.kind, 'delete', 'destructiveHint: delete')
  t.equal(tools.get('memory__create_entities')?.kind, 'other')

  const created = await tools.get('memory__create_entities')!.execute(
    { entities: [{ name: 'Ada', entityType: 'person', observations: ['wrote the first program'] }] },
    createTestToolContext(),
  )
  t.notOk(created.isError)
  t.match(readFileSync(file, 'utf8'), /"name":"Ada"/, 'the server wrote its file')
  const found = await tools.get('memory__search_nodes')!.execute({ query: 'first program' }, createTestToolContext())
  t.match(found.output, /Ada/)
  const bad = tools.get('memory__create_entities')!.inputSchema.safeParse({ entities: [{ name: 'x' }] })
  t.notOk(bad.success, 'its JSON schema is enforced before the call')
})
