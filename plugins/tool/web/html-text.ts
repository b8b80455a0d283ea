import type { HtmlNode } from './html-parse.js'

/** What block renderers need: the output flavour, the base for links, and the block renderer itself. */
export interface RenderContext {
  markdown: boolean
  base?: URL
  /** Renders nodes as a list of blocks (paragraphs, headings, lists, ...). */
  blocks(nodes: HtmlNode[]): string[]
}

/** Marks a <br> inside inline text until whitespace is collapsed. */
export const BR = '\u0001'

/** Collapses runs of whitespace (HTML rendering rules) and turns <br> marks into line breaks. */
export function collapse(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .split(BR)
    .map((line) => line.trim())
    .join('\n')
    .trim()
}

/** Collects inline text and finished blocks in document order. */
export class Blocks {
  readonly blocks: string[] = []
  inline = ''

  addInline(text: string): void {
    this.inline += text
  }

  addBlock(block: string): void {
    this.flush()
    if (block.trim()) this.blocks.push(block)
  }

  flush(): void {
    const text = collapse(this.inline)
    this.inline = ''
    if (text) this.blocks.push(text)
  }

  done(): string[] {
    this.flush()
    return this.blocks
  }
}

/** The text of a node as written (for <pre> and <code>); <br> becomes a line break. */
export function textContent(node: HtmlNode): string {
  if (node.type === 'text') return node.text
  if (node.tag === 'br') return '\n'
  return node.children.map(textContent).join('')
}
