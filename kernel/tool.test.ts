import t from 'tap'
import { z } from 'zod'
import { defineTool } from './tool.js'
import { toToolSpec } from './session/history.js'

const sample = defineTool({
  name: 'read_note',
  description: 'Reads a note by its title.',
  kind: 'read',
  inputSchema: z.object({ title: z.string().min(1), lines: z.number().int().optional() }).strict(),
  subject: (args) => args.title,
  async execute(args) {
    return { output: `note ${args.title}` }
  },
})

t.test('defineTool keeps the definition and refuses names that are not snake_case', async (t) => {
  t.equal(sample.name, 'read_note')
  t.equal(sample.subject?.({ title: 'x' }), 'x')
  t.same(await sample.execute({ title: 'a' }, {} as never), { output: 'note a' })
  t.throws(() => defineTool({ ...sample, name: 'readNote' }), /must be snake_case/)
  t.throws(() => defineTool({ ...sample, name: 'read-note' }), /must be snake_case/)
})

t.test('a tool reaches the model as JSON Schema, converted once', async (t) => {
  const spec = toToolSpec(sample as never)
  t.same(spec, {
    name: 'read_note',
    description: 'Reads a note by its title.',
    inputSchema: {
      type: 'object',
      properties: { title: { type: 'string', minLength: 1 }, lines: { type: 'integer', minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER } },
      required: ['title'],
      additionalProperties: false,
    },
  })
  t.equal(toToolSpec(sample as never), spec, 'cached per definition')
})
