import t from 'tap'
import { decodeEntities } from './html-entities.js'
import { parseHtml } from './html-parse.js'
import { renderHtml } from './html-render.js'

const md = (html: string, url = 'https://example.com/docs/page.html') => renderHtml(html, { format: 'markdown', url }).text
const text = (html: string) => renderHtml(html, { format: 'text', url: 'https://example.com/' }).text

t.test('headings, paragraphs, emphasis, inline code and line breaks', async (t) => {
  const out = md('<h1>Title <em>here</em></h1><h3>Sub</h3><p>Some <b>bold </b>and <i>italic</i> text,<br>a <code>x = `1`</code> and <del>old</del>.</p><p>Next</p>')
  t.equal(out, '# Title _here_\n\n### Sub\n\nSome **bold** and _italic_ text,\na `` x = `1` `` and ~~old~~.\n\nNext')
})

t.test('links and images are made absolute; script links and anchors become plain text', async (t) => {
  const out = md('<p><a href="../api?a=1&amp;b=(2)">API</a> <a href="#top">top</a> <a href="javascript:alert(1)">js</a> <img src="/i.png" alt="Logo"> <img src="/pixel.gif"></p>')
  t.equal(out, '[API](https://example.com/api?a=1&b=%282%29) top js ![Logo](https://example.com/i.png)')
  t.equal(md('<head><base href="https://cdn.example.org/x/"></head><a href="y">Y</a>'), '[Y](https://cdn.example.org/x/y)')
})

t.test('unordered, ordered and nested lists, including unclosed <li>', async (t) => {
  const out = md('<ul><li>One<li>Two<ul><li>A</li><li>B</li></ul><li>Three</ul><ol start="4"><li><p>Four</p><p>more</p><li>Five</ol>')
  t.equal(out, '- One\n- Two\n  - A\n  - B\n- Three\n\n4. Four\n   more\n5. Five')
})

t.test('pre blocks keep their text and get a fence with the language', async (t) => {
  const out = md('<pre class="x"><code class="language-ts">const a = 1 &lt; 2\n  if (a) {\n    return "```"\n  }\n</code></pre>')
  t.equal(out, '````ts\nconst a = 1 < 2\n  if (a) {\n    return "```"\n  }\n````')
  t.equal(text('<pre>  indented\n    more</pre>'), '  indented\n    more')
})

t.test('tables: pipe tables in markdown, cells joined in text; layout tables fall back to blocks', async (t) => {
  const table = '<table><caption>Prices</caption><tr><th>Name<th>Price<tr><td>A | B<td>1<tr><td>C</table>'
  t.equal(md(table), 'Prices\n\n| Name | Price |\n| --- | --- |\n| A \\| B | 1 |\n| C |  |')
  t.equal(text(table), 'Prices\n\nName | Price\nA | B | 1\nC')
  const layout = '<table><tr><td><p>Left column</p></td><td><table><tr><td>inner</td></tr></table></td></tr></table>'
  t.equal(md(layout), 'Left column\n\ninner')
})

t.test('drops scripts, styles, head, hidden elements and form controls', async (t) => {
  const out = md(
    '<html><head><title>T</title><style>p { color: red }</style></head><body><script>document.write("<p>x</p>")</script>' +
      '<div hidden>secret</div><div aria-hidden="true">icon</div><span style="display: none">gone</span><button>Click</button><p>Kept</p></body></html>',
  )
  t.equal(out, 'Kept')
})

t.test('blockquotes, definition lists and rules', async (t) => {
  t.equal(md('<blockquote><p>One</p><p>Two</p></blockquote><hr><dl><dt>Term</dt><dd>Meaning</dd></dl>'), '> One\n>\n> Two\n\n---\n\nTerm\n\n: Meaning')
})

t.test('text mode has no markdown syntax', async (t) => {
  const out = text('<h2>Head</h2><p><b>Bold</b> <a href="/x">link</a> <code>c</code></p><blockquote>q</blockquote>')
  t.equal(out, 'Head\n\nBold link c\n\nq')
})

t.test('the page title is returned apart from the text', async (t) => {
  const page = renderHtml('<title>  My &amp; Page </title><p>x</p>', { format: 'markdown' })
  t.equal(page.title, 'My & Page')
  t.equal(page.text, 'x')
})

t.test('entities: named, decimal, hex, and not inside a query parameter', async (t) => {
  t.equal(decodeEntities('&lt;a&gt; &amp;&quot;&#39;&#x1F600;&copy;&nbsp;&unknown; &#0;'), '<a> &"\'😀©\u00a0&unknown; \ufffd')
  t.equal(decodeEntities('?a=1&lt=2&amp=3'), '?a=1&lt=2&amp=3')
})

t.test('malformed HTML never throws and keeps the text', async (t) => {
  t.equal(md('<p>a < b and c<d</p><div><span>unclosed <b>bold</div>tail'), 'a < b and c\n\n**bold**\n\ntail'.replace('**bold**', 'unclosed **bold**'))
  t.equal(md('<p title="x>y">ok</p>'), 'ok', 'a > inside a quoted attribute does not end the tag')
  t.equal(md('<!-- <p>comment</p> --><![CDATA[x]]><?xml?>text'), 'text')
  t.equal(md('<scr'), '')
})

t.test('deep nesting and large pages are handled without blowing the stack', async (t) => {
  const deep = '<div>'.repeat(20_000) + 'bottom' + '</div>'.repeat(20_000)
  t.equal(md(deep), 'bottom')
  const tree = parseHtml('<ul>' + '<li>x<ul>'.repeat(5_000))
  t.ok(tree.children.length > 0)
  const big = '<p>word &amp; word</p>'.repeat(50_000)
  const started = Date.now()
  t.equal(md(big).split('\n\n').length, 50_000)
  t.ok(Date.now() - started < 5_000, 'a ~1 MB page converts in well under the tool timeout')
})
