/**
 * Which tools reach the registry: include / exclude globs, names no provider accepts skipped with a
 * warning, and a tools list_changed adding a tool live (tools.changed on the global stream).
 */
import t from 'tap'
import type { protocol } from '../../../kernel/index.js'
import { createTestToolContext } from '../../../kernel/testing/index.js'
import { waitFor } from '../../../kernel/testing/wait.js'
import { bootMcp, everythingStdio, FIXTURE_SERVER } from './test-support.js'

t.test('include and exclude globs pick tools by their own names', async (t) => {
  const { tk } = await bootMcp(t, { servers: { picked: everythingStdio({ include: ['echo', 'get-*'], exclude: ['get-env', 'get-tiny-*'] }) } })
  const names = tk.kernel.resolve('registries').tools.ids().filter((name) => name.startsWith('picked__')).sort()
  t.ok(names.includes('picked__echo') && names.includes('picked__get-sum'))
  t.notOk(names.includes('picked__get-env'), 'excluded')
  t.notOk(names.includes('picked__get-tiny-image'), 'excluded by glob')
  t.notOk(names.includes('picked__trigger-long-running-operation'), 'not included')
  t.ok(names.every((name) => name === 'picked__echo' || name.startsWith('picked__get-')))
})

t.test('a tools list_changed registers the new tool live; a bad name is skipped with one warning', async (t) => {
  const { tk, call } = await bootMcp(t, { servers: { slow: { transport: 'stdio', command: process.execPath, args: [FIXTURE_SERVER] } } })
  const tools = tk.kernel.resolve('registries').tools
  t.notOk(tools.has('slow__bad name'), 'a name with a space is not registered')
  t.equal(tk.logLines.filter((line) => line.includes('slow__bad name') && line.includes('skipped')).length, 1, 'one warning names it')
  t.equal((await call('GET', '/api/mcp/servers/slow')).json.tools, 2, 'wait and add-tool')

  const global: protocol.EventEnvelope[] = []
  t.teardown(await tk.kernel.resolve('eventBus').subscribe('global', (e) => global.push(e)))
  await tools.get('slow__add-tool')!.execute({}, createTestToolContext())
  await waitFor(() => tools.has('slow__extra-1'), 'the new tool in the registry')
  await waitFor(() => global.some((e) => e.type === 'tools.changed'), 'tools.changed')
  t.same(global.find((e) => e.type === 'tools.changed')!.data, { added: ['slow__extra-1'], removed: [], source: 'mcp:slow' })
  const result = await tools.get('slow__extra-1')!.execute({ value: 'v' }, createTestToolContext())
  t.equal(result.output, 'extra-1: v')
  t.equal(tk.logLines.filter((line) => line.includes('slow__bad name') && line.includes('skipped')).length, 1, 'not warned again on refresh')
  const listed = (await call('GET', '/api/tools')).json as Array<{ name: string; source: string; server?: string }>
  t.match(listed.find((tool) => tool.name === 'slow__extra-1'), { source: 'mcp', server: 'slow', kind: 'other' })
})
