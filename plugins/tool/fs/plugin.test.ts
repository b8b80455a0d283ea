import t from 'tap'
import { createTestKernel } from '../../../kernel/testing/index.js'
import { toToolSpec } from '../../../kernel/session/history.js'

t.test('the plugin registers its six tools with kinds, subjects and JSON Schemas', async (t) => {
  const tk = await createTestKernel({ plugins: { 'provider-scripted': { chunkDelayMs: 0 }, 'tool-fs': { grepLimit: 10 } } })
  t.teardown(tk.close)
  const tools = tk.kernel.registries.tools
  t.same(tools.ids().sort(), ['edit_file', 'glob', 'grep', 'list_dir', 'read_file', 'write_file'])
  const kinds = Object.fromEntries(tools.list().map((tool) => [tool.name, tool.kind]))
  t.same(kinds, { read_file: 'read', write_file: 'edit', edit_file: 'edit', list_dir: 'read', glob: 'search', grep: 'search' })
  t.equal(tools.get('read_file')?.subject?.({ path: 'src/a.ts' }), 'src/a.ts')
  t.equal(tools.get('glob')?.subject?.({ pattern: '**/*.md', path: 'docs/' }), 'docs/**/*.md')
  t.equal(tools.get('list_dir')?.subject?.({}), '.')
  for (const tool of tools.list()) {
    t.ok(tool.description.length > 100, `${tool.name} has a model-facing description`)
    t.ok((tool.timeoutMs ?? 0) > 0, `${tool.name} has a timeout`)
  }

  const read = toToolSpec(tools.get('read_file')!)
  t.same(read.inputSchema, {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, description: 'Path of the file, relative to the workspace or absolute.' },
      offset: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: '1-based line number to start reading at (default 1).' },
      limit: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'How many lines to read at most (default 2000).' },
    },
    required: ['path'],
    additionalProperties: false,
  })
  const edit = toToolSpec(tools.get('edit_file')!).inputSchema as { required: string[]; properties: Record<string, { type: string }> }
  t.same(edit.required, ['path', 'old_string', 'new_string'])
  t.equal(edit.properties.replace_all.type, 'boolean')
  const grep = toToolSpec(tools.get('grep')!).inputSchema as { properties: Record<string, { anyOf?: unknown[] }>; additionalProperties: boolean }
  t.same(grep.properties.include.anyOf, [{ type: 'string', minLength: 1 }, { type: 'array', items: { type: 'string', minLength: 1 } }])
  t.equal(grep.additionalProperties, false)
  t.ok(tools.get('write_file')!.inputSchema.safeParse({ path: 'a', content: 'b', extra: 1 }).success === false, 'schemas are strict')
})

t.test('unknown or invalid options are boot errors', async (t) => {
  await t.rejects(createTestKernel({ plugins: { 'provider-scripted': true, 'tool-fs': { grepLimit: 0 } } }), { code: 'KERNEL_PLUGIN_OPTIONS_INVALID' })
  await t.rejects(createTestKernel({ plugins: { 'provider-scripted': true, 'tool-fs': { maxBytes: 5 } } }), { code: 'KERNEL_PLUGIN_OPTIONS_INVALID' })
})
