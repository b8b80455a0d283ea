import { decodeEntities } from './html-entities.js'

/** A forgiving HTML tree: enough structure to turn a page into readable text, not a browser DOM. */
export type HtmlNode = HtmlText | HtmlElement

export interface HtmlText {
  type: 'text'
  text: string
}

export interface HtmlElement {
  type: 'element'
  tag: string
  attrs: Record<string, string>
  children: HtmlNode[]
}

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr'])
/** Elements whose content is raw text up to their end tag. */
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript'])
/** Starting one of these closes an open <p>. */
const CLOSES_P = new Set([
  'address', 'article', 'aside', 'blockquote', 'details', 'div', 'dl', 'fieldset', 'figure', 'footer', 'form', 'h1', 'h2', 'h3',
  'h4', 'h5', 'h6', 'header', 'hr', 'main', 'menu', 'nav', 'ol', 'p', 'pre', 'section', 'table', 'ul',
])
/**
 * Implied end tags: a new <li> closes the open <li> (and everything inside it), unless a list opened in
 * between; a new <tr> closes the open row, and so on.
 */
const IMPLIED: Record<string, { closes: string[]; within: string[] }> = {
  li: { closes: ['li'], within: ['ul', 'ol', 'menu'] },
  dt: { closes: ['dt', 'dd'], within: ['dl'] },
  dd: { closes: ['dt', 'dd'], within: ['dl'] },
  tr: { closes: ['tr'], within: ['table', 'thead', 'tbody', 'tfoot'] },
  td: { closes: ['td', 'th'], within: ['tr', 'table'] },
  th: { closes: ['td', 'th'], within: ['tr', 'table'] },
  thead: { closes: ['thead', 'tbody', 'tfoot'], within: ['table'] },
  tbody: { closes: ['thead', 'tbody', 'tfoot'], within: ['table'] },
  tfoot: { closes: ['thead', 'tbody', 'tfoot'], within: ['table'] },
  option: { closes: ['option'], within: ['select', 'datalist'] },
}
/** Deeper nesting is flattened, so rendering never recurses without bound. */
const MAX_DEPTH = 200

class TreeBuilder {
  readonly root: HtmlElement = { type: 'element', tag: '#root', attrs: {}, children: [] }
  private readonly stack: HtmlElement[] = [this.root]

  private get current(): HtmlElement {
    return this.stack[this.stack.length - 1]
  }

  text(text: string): void {
    if (!text) return
    const last = this.current.children[this.current.children.length - 1]
    if (last?.type === 'text') last.text += text
    else this.current.children.push({ type: 'text', text })
  }

  open(tag: string, attrs: Record<string, string>): void {
    if (CLOSES_P.has(tag)) this.closeImplied(['p'], ['button', 'table', 'li', 'td', 'th'])
    const implied = IMPLIED[tag]
    if (implied) this.closeImplied(implied.closes, implied.within)
    const element: HtmlElement = { type: 'element', tag, attrs, children: [] }
    this.current.children.push(element)
    if (!VOID.has(tag) && this.stack.length < MAX_DEPTH) this.stack.push(element)
  }

  close(tag: string): void {
    for (let i = this.stack.length - 1; i > 0; i--) {
      if (this.stack[i].tag === tag) {
        this.stack.length = i
        return
      }
    }
  }

  /** Pops to (and including) the nearest open `closes` element, unless a `within` element comes first. */
  private closeImplied(closes: string[], within: string[]): void {
    for (let i = this.stack.length - 1; i > 0; i--) {
      const tag = this.stack[i].tag
      if (closes.includes(tag)) {
        this.stack.length = i
        return
      }
      if (within.includes(tag)) return
    }
  }
}

const ATTR = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g

function parseAttrs(source: string): Record<string, string> {
  const attrs: Record<string, string> = {}
  for (const match of source.matchAll(ATTR)) {
    const name = match[1].toLowerCase()
    if (!(name in attrs)) attrs[name] = decodeEntities(match[2] ?? match[3] ?? match[4] ?? '')
  }
  return attrs
}

/** Index of the `>` that ends a tag starting at `from`, skipping quoted attribute values (-1: not found nearby). */
function tagEnd(html: string, from: number): number {
  let quote = ''
  const limit = Math.min(html.length, from + 20_000)
  for (let i = from; i < limit; i++) {
    const ch = html[i]
    if (quote) {
      if (ch === quote) quote = ''
    } else if (ch === '"' || ch === "'") {
      if (/[=\s]/.test(html[i - 1] ?? '')) quote = ch
    } else if (ch === '>') return i
  }
  return -1
}

/** Parses HTML into a tree; never throws, whatever the input. */
export function parseHtml(html: string): HtmlElement {
  const tree = new TreeBuilder()
  // ASCII-only lowering keeps every index the same as in `html`.
  const lower = html.replace(/[A-Z]+/g, (run) => run.toLowerCase())
  let i = 0
  while (i < html.length) {
    const lt = html.indexOf('<', i)
    if (lt < 0) {
      tree.text(decodeEntities(html.slice(i)))
      break
    }
    tree.text(decodeEntities(html.slice(i, lt)))
    const next = html[lt + 1] ?? ''
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4)
      i = end < 0 ? html.length : end + 3
    } else if (next === '!' || next === '?') {
      const end = html.indexOf('>', lt)
      i = end < 0 ? html.length : end + 1
    } else if (next === '/' && /[A-Za-z]/.test(html[lt + 2] ?? '')) {
      const end = html.indexOf('>', lt)
      if (end < 0) break
      tree.close(/^[^\s/>]+/.exec(html.slice(lt + 2, end))![0].toLowerCase())
      i = end + 1
    } else if (/[A-Za-z]/.test(next)) {
      i = openTag(html, lower, lt, tree)
    } else {
      tree.text('<')
      i = lt + 1
    }
  }
  return tree.root
}

/** Handles a start tag at `lt` (and a raw-text element's whole content); returns where to go on. */
function openTag(html: string, lower: string, lt: number, tree: TreeBuilder): number {
  let end = tagEnd(html, lt + 1)
  if (end < 0) end = html.indexOf('>', lt)
  if (end < 0) return html.length
  const source = html.slice(lt + 1, end)
  const tag = /^[^\s/>]+/.exec(source)![0].toLowerCase()
  tree.open(tag, parseAttrs(source.slice(tag.length)))
  if (!RAW_TEXT.has(tag)) return end + 1
  const close = lower.indexOf(`</${tag}`, end + 1)
  const stop = close < 0 ? html.length : close
  const raw = html.slice(end + 1, stop)
  tree.text(tag === 'title' || tag === 'textarea' ? decodeEntities(raw) : raw)
  tree.close(tag)
  const after = html.indexOf('>', stop)
  return close < 0 || after < 0 ? html.length : after + 1
}
