import type { HtmlElement, HtmlNode } from './html-parse.js'
import { BR, textContent, type RenderContext } from './html-text.js'

/** Prefixes the first line with `marker` and indents the others to line up under it. */
function indentUnder(body: string, marker: string): string {
  const pad = ' '.repeat(marker.length)
  return body
    .split('\n')
    .map((line, index) => (index === 0 ? marker + line : line ? pad + line : line))
    .join('\n')
}

/** A <ul> or <ol>: `- item` / `1. item`, nested lists indented under their item. */
export function renderList(list: HtmlElement, ctx: RenderContext): string {
  const ordered = list.tag === 'ol'
  let number = Number.parseInt(list.attrs.start ?? '1', 10)
  if (!Number.isFinite(number)) number = 1
  const items: string[] = []
  for (const child of list.children) {
    if (child.type === 'text' && !child.text.trim()) continue
    const nested = child.type === 'element' && (child.tag === 'ul' || child.tag === 'ol')
    const isItem = child.type === 'element' && child.tag === 'li'
    const body = ctx.blocks(isItem ? child.children : [child]).join('\n')
    if (!body) continue
    if (nested && items.length > 0) {
      items[items.length - 1] += `\n${indentUnder(body, '  ')}`
      continue
    }
    items.push(indentUnder(body, ordered ? `${number++}. ` : '- '))
  }
  return items.join('\n')
}

function languageOf(element: HtmlElement): string {
  const code = element.children.find((c): c is HtmlElement => c.type === 'element' && c.tag === 'code')
  const classes = `${element.attrs.class ?? ''} ${code?.attrs.class ?? ''}`
  return /(?:^|\s)(?:language|lang)-([\w+#.-]+)/.exec(classes)?.[1] ?? ''
}

/** A <pre>: the text exactly as written, fenced in markdown. */
export function renderPre(pre: HtmlElement, ctx: RenderContext): string {
  const code = textContent(pre).replaceAll(BR, '').replace(/^\r?\n/, '').trimEnd()
  if (!code.trim()) return ''
  if (!ctx.markdown) return code
  const longest = (code.match(/`{3,}/g) ?? []).reduce((max, run) => Math.max(max, run.length), 0)
  const fence = '`'.repeat(Math.max(3, longest + 1))
  return `${fence}${languageOf(pre)}\n${code}\n${fence}`
}

interface TableParts {
  caption?: HtmlElement
  rows: HtmlElement[][]
  nested: boolean
}

function collectRows(element: HtmlElement, parts: TableParts): void {
  for (const child of element.children) {
    if (child.type !== 'element') continue
    if (child.tag === 'caption') parts.caption = child
    else if (child.tag === 'thead' || child.tag === 'tbody' || child.tag === 'tfoot') collectRows(child, parts)
    else if (child.tag === 'tr') {
      const cells = child.children.filter((c): c is HtmlElement => c.type === 'element' && (c.tag === 'td' || c.tag === 'th'))
      if (cells.some((cell) => containsTable(cell))) parts.nested = true
      parts.rows.push(cells)
    }
  }
}

function containsTable(node: HtmlNode): boolean {
  return node.type === 'element' && node.children.some((child) => child.type === 'element' && (child.tag === 'table' || containsTable(child)))
}

/**
 * A data table as a markdown pipe table (plain text: cells joined by " | "). Layout tables (with tables
 * inside their cells) are rendered cell by cell as ordinary blocks instead.
 */
export function renderTable(table: HtmlElement, ctx: RenderContext): string {
  const parts: TableParts = { rows: [], nested: false }
  collectRows(table, parts)
  const caption = parts.caption ? ctx.blocks(parts.caption.children).join(' ') : ''
  if (parts.nested) return [caption, ...parts.rows.flat().flatMap((cell) => ctx.blocks(cell.children))].filter(Boolean).join('\n\n')
  const cellText = (cell: HtmlElement) => {
    const text = ctx.blocks(cell.children).join(' ').replace(/\s*\n\s*/g, ' ')
    return ctx.markdown ? text.replace(/\|/g, '\\|') : text
  }
  const rows = parts.rows.map((cells) => cells.map(cellText)).filter((cells) => cells.some(Boolean))
  if (rows.length === 0) return caption
  const width = rows.reduce((max, cells) => Math.max(max, cells.length), 0)
  const lines = width === 1 || !ctx.markdown ? rows.map((cells) => cells.join(' | ')) : pipeTable(rows, width)
  return [caption, lines.join('\n')].filter(Boolean).join('\n\n')
}

function pipeTable(rows: string[][], width: number): string[] {
  const line = (cells: string[]) => `| ${Array.from({ length: width }, (_, i) => cells[i] ?? '').join(' | ')} |`
  return [line(rows[0]), `|${' --- |'.repeat(width)}`, ...rows.slice(1).map(line)]
}
