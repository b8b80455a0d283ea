import t from 'tap'
import { parseFrontmatter, splitDocument } from './frontmatter.js'

const parse = (text: string) => parseFrontmatter(text.split('\n'), 2)

t.test('scalars: plain, quoted, comments, star', async (t) => {
  const result = parse(
    [
      '# a comment',
      'name: Code reviewer   # trailing comment',
      'description: "Reviews diffs: bugs, style \\"and\\" tests"',
      "provider: 'anth''ropic'",
      'model: gpt#4',
      'tools: *',
      'empty:',
    ].join('\n'),
  )
  t.same(result.issues, [])
  t.same(result.data, { name: 'Code reviewer', description: 'Reviews diffs: bugs, style "and" tests', provider: "anth'ropic", model: 'gpt#4', tools: '*', empty: null })
  t.same(result.lineOf, { name: 3, description: 4, provider: 5, model: 6, tools: 7, empty: 8 })
})

t.test('lists: flow, block (indented or not), block of one-level maps', async (t) => {
  const result = parse(
    [
      'a: [read_file, "grep", \'glob\', ]',
      'b:',
      '  - one',
      '  - "two # not a comment"',
      'c:',
      '- x',
      'permissions:',
      '  - tool: run_command',
      '    match: "git *"',
      '    action: allow',
      '',
      '  - tool: write_file   # no match',
      '    action: deny',
      'd: []',
    ].join('\n'),
  )
  t.same(result.issues, [])
  t.same(result.data, {
    a: ['read_file', 'grep', 'glob'],
    b: ['one', 'two # not a comment'],
    c: ['x'],
    permissions: [
      { tool: 'run_command', match: 'git *', action: 'allow' },
      { tool: 'write_file', action: 'deny' },
    ],
    d: [],
  })
})

t.test('everything outside the subset is an issue with its line', async (t) => {
  const cases: Array<[string, number, RegExp]> = [
    ['description: Reviews: code', 2, /contains ": "/],
    ['description: |', 2, /starts with "\|", which YAML reserves/],
    ['model: &anchor x', 2, /starts with "&"/],
    ['name: "unclosed', 2, /closing " is missing/],
    ['name: "bad \\q escape"', 2, /escape "\\q" is not supported/],
    ['name: "x" trailing', 2, /unexpected text after the closing quote/],
    ['tools: [a, [b]]', 2, /nested lists/],
    ['tools: [a, b', 2, /no closing "\]"/],
    ['tools: [a b c] extra', 2, /unexpected text after the list/],
    ['just text', 2, /expected "key: value", got "just text"/],
    ['name: a\nname: b', 3, /"name" appears twice \(first on line 2\)/],
    ['tools:\n  - a\n    continued', 4, /unexpected indentation under a list item/],
    ['permissions:\n  - tool: x\n      action: deny', 4, /aligned with "tool" \(column 5\)/],
    ['permissions:\n  - tool: x\n    tool: y', 4, /"tool" appears twice in one list item/],
    ['permissions:\n  - tool: [a]', 3, /holds a list inside a list item/],
    ['tools:\n  -\n  - b', 3, /an empty list item/],
    ['nested:\n  key: value', 3, /unexpected indentation/],
    ['tools: - a', 2, /a list item on the key line/],
    ['\tname: x', 2, /a tab in the indentation/],
  ]
  for (const [text, line, message] of cases) {
    const result = parse(text)
    t.ok(result.issues.length > 0, `${JSON.stringify(text)} is rejected`)
    t.equal(result.issues[0]?.line, line, `${JSON.stringify(text)}: line`)
    t.match(result.issues[0]?.message, message, `${JSON.stringify(text)}: message`)
    t.ok(result.issues[0]?.fix, 'a fix is given')
  }
})

t.test('splitDocument: fences, BOM, CRLF, missing fences', async (t) => {
  const doc = splitDocument('\uFEFF---\r\nname: x\r\n---\r\nBody line\r\n')
  t.same(doc, { frontmatter: ['name: x'], firstLine: 2, body: 'Body line\n', issues: [] })
  t.match(splitDocument('name: x\n').issues, [{ line: 1, message: /does not start with a "---" line/ }])
  t.match(splitDocument('---\nname: x\n').issues, [{ line: 1, message: /no closing "---" line/ }])
})
