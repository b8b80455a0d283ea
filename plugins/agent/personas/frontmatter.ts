/**
 * A small strict reader for the frontmatter subset agent files use: `key: value` pairs whose
 * values are plain or quoted strings, flow lists (`[a, b]`), block lists (`- a`) and block lists
 * of one-level maps (`- tool: x` / `  action: allow`). Anything else is an issue with its line,
 * never a guess. Every value is a string (no YAML numbers or booleans); the schema checks types.
 */

export type FrontmatterMap = Record<string, string | null>
export type FrontmatterValue = string | null | Array<string | FrontmatterMap>

export interface FrontmatterIssue {
  /** 1-based line in the file. */
  line: number
  message: string
  fix: string
}

export interface Frontmatter {
  data: Record<string, FrontmatterValue>
  /** Line of each top-level key. */
  lineOf: Record<string, number>
  issues: FrontmatterIssue[]
}

export interface SplitDocument {
  frontmatter: string[]
  /** File line of `frontmatter[0]`. */
  firstLine: number
  body: string
  issues: FrontmatterIssue[]
}

const KEY_LINE = /^([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(?:[ \t]+(.*))?$/
const RESERVED_START = /^[&*!|>{}%@`]/
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', n: '\n', t: '\t', r: '\r' }
const QUOTE_FIX = 'put the value in quotes ("..." or \'...\')'

interface Line {
  no: number
  indent: number
  text: string
}

/** Separate the `---` fenced frontmatter from the markdown body. */
export function splitDocument(source: string): SplitDocument {
  const lines = source.replace(/^\uFEFF/, '').split(/\r?\n/)
  if (lines[0]?.trimEnd() !== '---') {
    return { frontmatter: [], firstLine: 1, body: '', issues: [{ line: 1, message: 'the file does not start with a "---" line', fix: 'begin the file with frontmatter between two "---" lines, then the system prompt' }] }
  }
  const end = lines.findIndex((line, i) => i > 0 && line.trimEnd() === '---')
  if (end < 0) {
    return { frontmatter: [], firstLine: 1, body: '', issues: [{ line: 1, message: 'the frontmatter has no closing "---" line', fix: 'add a "---" line after the last frontmatter key' }] }
  }
  return { frontmatter: lines.slice(1, end), firstLine: 2, body: lines.slice(end + 1).join('\n'), issues: [] }
}

/** Parse frontmatter lines (without the fences); `firstLine` numbers the issues. */
export function parseFrontmatter(source: string[], firstLine = 1): Frontmatter {
  const result: Frontmatter = { data: {}, lineOf: {}, issues: [] }
  const issue = (line: number, message: string, fix: string) => result.issues.push({ line, message, fix })
  const lines: Line[] = []
  source.forEach((raw, i) => {
    const text = raw.trimEnd()
    const body = text.trimStart()
    if (body === '' || body.startsWith('#')) return
    const lead = text.slice(0, text.length - body.length)
    if (lead.includes('\t')) issue(firstLine + i, 'a tab in the indentation', 'indent with spaces only')
    lines.push({ no: firstLine + i, indent: lead.length, text: body })
  })
  for (let k = 0; k < lines.length; ) {
    const line = lines[k]
    const match = line.indent === 0 ? KEY_LINE.exec(line.text) : null
    if (!match) {
      const what = line.indent > 0 ? 'unexpected indentation' : `expected "key: value", got "${clip(line.text)}"`
      issue(line.no, what, 'write one "key: value" per line; only list items ("- ...") go on indented lines below a key')
      k++
      continue
    }
    const key = match[1]
    if (key in result.data) issue(line.no, `the key "${key}" appears twice (first on line ${result.lineOf[key]})`, 'keep one of them')
    else result.lineOf[key] = line.no
    k++
    const inline = match[2]?.trim() ?? ''
    if (inline !== '' && !inline.startsWith('#')) {
      result.data[key] ??= parseValue(inline, line.no, issue)
    } else if (k < lines.length && isDash(lines[k].text)) {
      const list = parseList(lines, k, issue)
      k = list.next
      result.data[key] ??= list.items
    } else {
      result.data[key] ??= null
    }
  }
  return result
}

type Issue = (line: number, message: string, fix: string) => void

const isDash = (text: string) => text === '-' || text.startsWith('- ')
const clip = (text: string) => (text.length > 40 ? `${text.slice(0, 40)}…` : text)

/** A block list starting at `lines[start]`: scalar items or one-level maps. */
function parseList(lines: Line[], start: number, issue: Issue): { items: Array<string | FrontmatterMap>; next: number } {
  const dashIndent = lines[start].indent
  const items: Array<string | FrontmatterMap> = []
  let k = start
  while (k < lines.length && lines[k].indent === dashIndent && isDash(lines[k].text)) {
    const line = lines[k]
    const content = line.text.slice(1).trimStart()
    k++
    if (content === '' || content.startsWith('#')) {
      issue(line.no, 'an empty list item', 'write the item (or its first "key: value") on the same line as the dash')
      continue
    }
    const match = /^["']/.test(content) ? null : KEY_LINE.exec(content)
    if (!match) {
      const value = parseValue(content, line.no, issue)
      if (Array.isArray(value)) issue(line.no, 'a list inside a list', 'use a flat list')
      else if (value !== null) items.push(value)
      k = skipDeeper(lines, k, dashIndent, issue)
      continue
    }
    const keyColumn = dashIndent + line.text.length - content.length
    const map: FrontmatterMap = {}
    addEntry(map, match, line.no, issue)
    while (k < lines.length && lines[k].indent > dashIndent) {
      const entry = lines[k]
      const next = KEY_LINE.exec(entry.text)
      if (entry.indent !== keyColumn || !next) issue(entry.no, `expected "key: value" aligned with "${match[1]}" (column ${keyColumn + 1})`, 'align the keys of one list item under each other')
      else addEntry(map, next, entry.no, issue)
      k++
    }
    items.push(map)
  }
  return { items, next: k }
}

function addEntry(map: FrontmatterMap, match: RegExpExecArray, line: number, issue: Issue): void {
  const key = match[1]
  if (key in map) return issue(line, `the key "${key}" appears twice in one list item`, 'keep one of them')
  const raw = match[2]?.trim() ?? ''
  const value = raw === '' || raw.startsWith('#') ? null : parseValue(raw, line, issue)
  if (Array.isArray(value)) return issue(line, `"${key}" holds a list inside a list item`, 'give it a single value')
  map[key] = value
}

function skipDeeper(lines: Line[], k: number, indent: number, issue: Issue): number {
  while (k < lines.length && lines[k].indent > indent) {
    issue(lines[k].no, 'unexpected indentation under a list item', `values must fit on one line; ${QUOTE_FIX}`)
    k++
  }
  return k
}

/** One inline value: a quoted or plain string, or a flow list of them. */
function parseValue(raw: string, line: number, issue: Issue): string | string[] | null {
  if (raw.startsWith('[')) {
    const list = parseFlowList(raw)
    if ('error' in list) issue(line, list.error, 'write the list as [a, b, "c"] on one line, or as "- item" lines below the key')
    else if (!endsAt(raw, list.end)) issue(line, `unexpected text after the list: "${clip(raw.slice(list.end).trim())}"`, 'end the line after "]"')
    return 'error' in list ? null : list.items
  }
  const scalar = readScalar(raw, 0, (c) => c === '#')
  if ('error' in scalar) {
    issue(line, scalar.error, scalar.fix)
    return null
  }
  if (!endsAt(raw, scalar.end)) {
    issue(line, `unexpected text after the closing quote: "${clip(raw.slice(scalar.end).trim())}"`, 'end the line after the quoted value')
    return null
  }
  return scalar.value
}

/** Whether `raw` ends at `end`, or only a comment (` # ...`) follows. */
function endsAt(raw: string, end: number): boolean {
  if (raw.slice(end).trim() === '') return true
  const hash = raw.indexOf('#', end)
  return hash > 0 && raw.slice(end, hash).trim() === '' && /\s/.test(raw[hash - 1])
}

type Scalar = { value: string; end: number } | { error: string; fix: string }

/** A quoted or plain scalar at `start`; a plain one ends before ` #` or where `stop` says. */
function readScalar(raw: string, start: number, stop: (c: string) => boolean): Scalar {
  const quote = raw[start]
  if (quote === '"' || quote === "'") return readQuoted(raw, start, quote)
  let end = start
  while (end < raw.length && !(stop(raw[end]) && (raw[end] !== '#' || /\s/.test(raw[end - 1] ?? ' ')))) end++
  const value = raw.slice(start, end).trim()
  if (value === '*') return { value, end }
  if (RESERVED_START.test(value)) return { error: `the value "${clip(value)}" starts with "${value[0]}", which YAML reserves`, fix: QUOTE_FIX }
  if (value.startsWith('- ')) return { error: 'a list item on the key line', fix: 'write list items on the lines below the key, or use [a, b]' }
  if (/:(\s|$)/.test(value)) return { error: `the value "${clip(value)}" contains ": "`, fix: QUOTE_FIX }
  if (value === '' && raw.slice(start).trim() !== '') return { error: 'an empty value', fix: QUOTE_FIX }
  return { value, end }
}

function readQuoted(raw: string, start: number, quote: string): Scalar {
  let out = ''
  for (let i = start + 1; i < raw.length; i++) {
    const c = raw[i]
    if (quote === "'" && c === "'") {
      if (raw[i + 1] !== "'") return { value: out, end: i + 1 }
      out += "'"
      i++
    } else if (quote === '"' && c === '"') {
      return { value: out, end: i + 1 }
    } else if (quote === '"' && c === '\\') {
      const escaped = ESCAPES[raw[i + 1] ?? '']
      if (escaped === undefined) return { error: `the escape "\\${raw[i + 1] ?? ''}" is not supported`, fix: 'use \\" \\\\ \\n \\t, or single quotes' }
      out += escaped
      i++
    } else {
      out += c
    }
  }
  return { error: `the closing ${quote} is missing`, fix: 'close the quote on the same line (values are one line each)' }
}

function parseFlowList(raw: string): { items: string[]; end: number } | { error: string } {
  const items: string[] = []
  let i = 1
  for (;;) {
    while (raw[i] === ' ') i++
    if (raw[i] === ']') return { items, end: i + 1 }
    if (i >= raw.length) return { error: 'the list has no closing "]"' }
    if (raw[i] === '[' || raw[i] === '{') return { error: 'nested lists and maps are not supported in a [...] list' }
    const item = readScalar(raw, i, (c) => c === ',' || c === ']' || c === '#')
    if ('error' in item) return { error: item.error }
    if (item.value === '') return { error: 'an empty item in the list' }
    items.push(item.value)
    i = item.end
    while (raw[i] === ' ') i++
    if (raw[i] === ',') i++
    else if (i >= raw.length) return { error: 'the list has no closing "]"' }
    else if (raw[i] !== ']') return { error: 'expected "," or "]" after a list item' }
  }
}
