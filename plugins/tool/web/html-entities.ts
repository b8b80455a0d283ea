/** The named character references that matter for readable text; others are left as written. */
const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', ensp: '\u2002', emsp: '\u2003', thinsp: '\u2009',
  shy: '', zwj: '', zwnj: '', lrm: '', rlm: '',
  copy: '©', reg: '®', trade: '™', deg: '°', plusmn: '±', times: '×', divide: '÷', micro: 'µ', para: '¶', sect: '§',
  middot: '·', bull: '•', hellip: '…', prime: '′', Prime: '″', ndash: '–', mdash: '—', minus: '−',
  lsquo: '‘', rsquo: '’', sbquo: '‚', ldquo: '“', rdquo: '”', bdquo: '„', laquo: '«', raquo: '»', lsaquo: '‹', rsaquo: '›',
  cent: '¢', pound: '£', yen: '¥', euro: '€', curren: '¤', iexcl: '¡', iquest: '¿', ordf: 'ª', ordm: 'º',
  frac12: '½', frac14: '¼', frac34: '¾', sup1: '¹', sup2: '²', sup3: '³',
  larr: '←', rarr: '→', uarr: '↑', darr: '↓', harr: '↔', rArr: '⇒', lArr: '⇐', hArr: '⇔',
  le: '≤', ge: '≥', ne: '≠', asymp: '≈', equiv: '≡', infin: '∞', sum: '∑', prod: '∏', radic: '√', part: '∂', nabla: '∇', isin: '∈',
  alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', epsilon: 'ε', lambda: 'λ', mu: 'μ', pi: 'π', sigma: 'σ', tau: 'τ', phi: 'φ', omega: 'ω',
  Delta: 'Δ', Sigma: 'Σ', Omega: 'Ω', Pi: 'Π',
  check: '✓', star: '☆', hearts: '♥', dagger: '†', Dagger: '‡', permil: '‰',
  Auml: 'Ä', Ouml: 'Ö', Uuml: 'Ü', auml: 'ä', ouml: 'ö', uuml: 'ü', szlig: 'ß', eacute: 'é', egrave: 'è', ecirc: 'ê', Eacute: 'É',
  aacute: 'á', agrave: 'à', acirc: 'â', atilde: 'ã', aring: 'å', ccedil: 'ç', iacute: 'í', oacute: 'ó', ograve: 'ò', ocirc: 'ô',
  otilde: 'õ', oslash: 'ø', uacute: 'ú', ugrave: 'ù', ntilde: 'ñ', Ntilde: 'Ñ', Ccedil: 'Ç', aelig: 'æ', AElig: 'Æ',
}

const LEGACY = new Set(['amp', 'lt', 'gt', 'quot', 'nbsp', 'copy', 'reg'])

function fromCodePoint(code: number): string {
  if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd'
  return String.fromCodePoint(code)
}

/** Decodes `&name;`, `&#123;` and `&#x1F;` references. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text
  return text.replace(/&(#[xX][0-9a-fA-F]{1,6}|#\d{1,7}|[A-Za-z][A-Za-z0-9]{1,31});?/g, (match, body: string, offset: number) => {
    if (body[0] === '#') {
      const hex = body[1] === 'x' || body[1] === 'X'
      return fromCodePoint(parseInt(body.slice(hex ? 2 : 1), hex ? 16 : 10))
    }
    const named = NAMED[body]
    if (named === undefined) return match
    if (match.endsWith(';')) return named
    // Without the semicolon only the common legacy names count, and not inside a query (`&lt=1`).
    return LEGACY.has(body) && text[offset + match.length] !== '=' ? named : match
  })
}
