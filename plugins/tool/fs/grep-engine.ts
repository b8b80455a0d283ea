/** What both grep engines (ripgrep, Node) take and give back. */

export interface GrepQuery {
  /** The regular expression as the model wrote it. */
  pattern: string
  /** The same, compiled for JavaScript (the Node engine; also validates the pattern). */
  regex: RegExp
  ignoreCase: boolean
  /** Real path of the directory (or single file) searched. */
  root: string
  isFile: boolean
  /** Search globs as the model wrote them (see anchorGlob for their meaning). */
  include: string[]
  exclude: string[]
  /** Stop after this many matches (the result then says it was cut). */
  limit: number
  /** Matched lines are cut to this many characters. */
  maxLineChars: number
  allowEnvFiles: boolean
  signal: AbortSignal
  /** Called now and then with the number of files searched so far. */
  onProgress?: (filesSearched: number) => void
}

export interface GrepMatch {
  /** Absolute path of the file. */
  file: string
  line: number
  text: string
}

export interface GrepOutcome {
  matches: GrepMatch[]
  /** More matches existed than `limit`. */
  truncated: boolean
  engine: 'rg' | 'node'
}

export function cutLine(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)} … [line cut]` : text
}
