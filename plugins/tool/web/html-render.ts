import { parseHtml, type HtmlElement, type HtmlNode } from './html-parse.js'
import { renderList, renderPre, renderTable } from './html-structures.js'
import { BR, Blocks, collapse, textContent, type RenderContext } from './html-text.js'

export interface RenderedPage {
  title?: string
  text: string
}

/** Not content: dropped with everything inside. */
const SKIP = new Set([
  'head', 'title', 'script', 'style', 'noscript', 'template', 'svg', 'canvas', 'iframe', 'object', 'embed', 'select', 'button',
  'input', 'textarea', 'map', 'audio', 'video', 'link', 'meta', 'base',
])
/** Containers: break the text into separate blocks. */
const CONTAINERS = new Set([
  '#root', 'html', 'body', 'address', 'article', 'aside', 'center', 'details', 'dialog', 'div', 'dl', 'fieldset', 'figcaption',
  'figure', 'footer', 'form', 'header', 'hgroup', 'legend', 'li', 'main', 'menu', 'nav', 'p', 'section', 'summary', 'caption',
  'tbody', 'thead', 'tfoot', 'tr', 'td', 'th', 'option',
])
const EMPHASIS: Record<string, string> = { strong: '**', b: '**', em: '_', i: '_', del: '~~', s: '~~', strike: '~~' }

function isHidden(element: HtmlElement): boolean {
  const { attrs } = element
  return 'hidden' in attrs || attrs['aria-hidden'] === 'true' || /display\s*:\s*none/i.test(attrs.style ?? '')
}

/** A link or image target as an absolute URL; undefined for script, data and in-page targets. */
export function resolveHref(href: string | undefined, base: URL | undefined): string | undefined {
  const raw = href?.trim()
  if (!raw || raw.startsWith('#')) return undefined
  try {
    const url = new URL(raw, base)
    if (!['http:', 'https:', 'mailto:', 'ftp:'].includes(url.protocol)) return undefined
    return url.href.replace(/\(/g, '%28').replace(/\)/g, '%29')
  } catch {
    return undefined
  }
}

/** Puts `mark` around the text, outside its leading and trailing whitespace. */
function wrap(text: string, before: string, after = before): string {
  const core = text.trim()
  if (!core || !(before || after)) return text
  const lead = text.slice(0, text.length - text.trimStart().length)
  const trail = text.slice(text.trimEnd().length)
  return `${lead}${before}${core}${after}${trail}`
}

function inlineCode(element: HtmlElement, ctx: RenderContext): string {
  const code = textContent(element).replace(/\s+/g, ' ')
  if (!ctx.markdown || !code.trim()) return code
  const longest = (code.match(/`+/g) ?? []).reduce((max, run) => Math.max(max, run.length), 0)
  const fence = '`'.repeat(longest + 1)
  const pad = code.startsWith('`') || code.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${code}${pad}${fence}`
}

function image(element: HtmlElement, ctx: RenderContext): string {
  const alt = collapse(element.attrs.alt ?? '')
  if (!alt) return ''
  if (!ctx.markdown) return alt
  const src = resolveHref(element.attrs.src, ctx.base)
  return src ? `![${alt}](${src})` : alt
}

/** The inline rendering of an element's children; block content inside is flattened to one line. */
export function inlineOf(element: HtmlElement, ctx: RenderContext): string {
  const out = new Blocks()
  for (const child of element.children) walk(child, out, ctx)
  if (out.blocks.length === 0) return out.inline
  return ` ${out.done().join(' ').replace(/\s+/g, ' ')} `
}

function link(element: HtmlElement, ctx: RenderContext): string {
  const text = inlineOf(element, ctx)
  const href = ctx.markdown ? resolveHref(element.attrs.href, ctx.base) : undefined
  return href ? wrap(text, '[', `](${href})`) : text
}

function heading(element: HtmlElement, ctx: RenderContext): string {
  const text = collapse(inlineOf(element, ctx)).replace(/\n/g, ' ')
  return ctx.markdown && text ? `${'#'.repeat(Number(element.tag[1]))} ${text}` : text
}

function blockquote(element: HtmlElement, ctx: RenderContext): string {
  const inner = renderBlocks(element.children, ctx).join('\n\n')
  if (!ctx.markdown) return inner
  return inner
    .split('\n')
    .map((line) => (line ? `> ${line}` : '>'))
    .join('\n')
}

/** Renders nodes as a list of blocks (paragraphs, headings, lists, ...). */
export function renderBlocks(nodes: HtmlNode[], ctx: RenderContext): string[] {
  const out = new Blocks()
  for (const node of nodes) walk(node, out, ctx)
  return out.done()
}

function walkElement(element: HtmlElement, out: Blocks, ctx: RenderContext): void {
  const { tag } = element
  if (/^h[1-6]$/.test(tag)) return out.addBlock(heading(element, ctx))
  switch (tag) {
    case 'br':
      return out.addInline(BR)
    case 'hr':
      return out.addBlock('---')
    case 'img':
      return out.addInline(image(element, ctx))
    case 'a':
      return out.addInline(link(element, ctx))
    case 'code':
    case 'kbd':
    case 'samp':
    case 'tt':
      return out.addInline(inlineCode(element, ctx))
    case 'pre':
      return out.addBlock(renderPre(element, ctx))
    case 'ul':
    case 'ol':
      return out.addBlock(renderList(element, ctx))
    case 'table':
      return out.addBlock(renderTable(element, ctx))
    case 'blockquote':
      return out.addBlock(blockquote(element, ctx))
    case 'dt':
      return out.addBlock(renderBlocks(element.children, ctx).join(' '))
    case 'dd':
      return out.addBlock(renderBlocks(element.children, ctx).map((block) => `: ${block}`).join('\n'))
  }
  if (tag in EMPHASIS) return out.addInline(wrap(inlineOf(element, ctx), ctx.markdown ? EMPHASIS[tag] : ''))
  if (CONTAINERS.has(tag)) {
    out.flush()
    for (const child of element.children) walk(child, out, ctx)
    return out.flush()
  }
  for (const child of element.children) walk(child, out, ctx)
}

export function walk(node: HtmlNode, out: Blocks, ctx: RenderContext): void {
  if (node.type === 'text') return out.addInline(node.text.replaceAll(BR, ''))
  if (SKIP.has(node.tag) || isHidden(node)) return
  walkElement(node, out, ctx)
}

function findFirst(root: HtmlElement, tag: string): HtmlElement | undefined {
  const queue: HtmlElement[] = [root]
  for (let i = 0; i < queue.length; i++) {
    if (queue[i].tag === tag) return queue[i]
    for (const child of queue[i].children) if (child.type === 'element') queue.push(child)
  }
  return undefined
}

/** Converts an HTML page to markdown (headings, links, lists, code, tables) or to plain text. */
export function renderHtml(html: string, options: { format: 'markdown' | 'text'; url?: string }): RenderedPage {
  const root = parseHtml(html)
  const titleElement = findFirst(root, 'title')
  const title = titleElement ? collapse(textContent(titleElement)) || undefined : undefined
  let base: URL | undefined
  try {
    base = options.url ? new URL(findFirst(root, 'base')?.attrs.href ?? '', options.url) : undefined
  } catch {
    base = options.url ? new URL(options.url) : undefined
  }
  const ctx: RenderContext = { markdown: options.format === 'markdown', base, blocks: (nodes) => renderBlocks(nodes, ctx) }
  const text = renderBlocks(root.children, ctx).join('\n\n')
  return { title, text }
}
