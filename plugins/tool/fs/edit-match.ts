/** Finding the text edit_file replaces, and explaining to the model why it was not found. */

/** Start offsets of every occurrence of `needle` in `text` (non-overlapping). */
export function occurrences(text: string, needle: string): number[] {
  const found: number[] = []
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) found.push(at)
  return found
}

/** 1-based line numbers of ascending character offsets, in one pass over the text. */
export function linesAt(text: string, offsets: number[]): number[] {
  const lines: number[] = []
  let line = 1
  let scanned = 0
  for (const offset of offsets) {
    for (let at = text.indexOf('\n', scanned); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) {
      line++
      scanned = at + 1
    }
    lines.push(line)
  }
  return lines
}

function bigrams(value: string): Map<string, number> {
  const grams = new Map<string, number>()
  for (let i = 0; i < value.length - 1; i++) {
    const gram = value.slice(i, i + 2)
    grams.set(gram, (grams.get(gram) ?? 0) + 1)
  }
  return grams
}

/** Dice coefficient over character bigrams: 1 for equal strings, 0 for nothing in common. */
export function similarity(a: string, b: string): number {
  if (a === b) return 1
  if (a.length < 2 || b.length < 2) return 0
  const left = bigrams(a)
  let shared = 0
  for (const [gram, count] of bigrams(b)) shared += Math.min(count, left.get(gram) ?? 0)
  return (2 * shared) / (a.length - 1 + b.length - 1)
}

const MAX_LINES_COMPARED = 20_000
const MAX_LINE_CHARS_COMPARED = 400

/** Up to `max` lines of the file most like the first non-blank line of `needle`, as `   12| text`. */
export function closestLines(text: string, needle: string, max = 3): string[] {
  const first = needle.split('\n').map((line) => line.trim()).find((line) => line.length > 0)
  const lines = text.split('\n')
  if (first === undefined || lines.length > MAX_LINES_COMPARED) return []
  const probe = first.slice(0, MAX_LINE_CHARS_COMPARED)
  return lines
    .map((line, index) => ({ index, line, score: similarity(probe, line.trim().slice(0, MAX_LINE_CHARS_COMPARED)) }))
    .filter((candidate) => candidate.score >= 0.5)
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, max)
    .map((candidate) => `${String(candidate.index + 1).padStart(5)}| ${candidate.line.replace(/\r$/, '').slice(0, MAX_LINE_CHARS_COMPARED)}`)
}

const collapse = (value: string) => value.replace(/\s+/g, ' ').trim()

/** The advice appended to "old_string was not found". */
export function notFoundAdvice(text: string, needle: string): string {
  const advice: string[] = []
  if (/^\s*\d+\| /m.test(needle)) advice.push('old_string seems to contain the `   12| ` line-number prefixes that read_file adds; they are not part of the file, remove them.')
  else if (collapse(text).includes(collapse(needle))) advice.push('The text exists with different whitespace or indentation; copy it exactly from the file.')
  const close = closestLines(text, needle)
  if (close.length > 0) advice.push(`Closest lines in the file:\n${close.join('\n')}`)
  advice.push('Read the file again with read_file and copy old_string exactly, including whitespace.')
  return advice.join('\n')
}
