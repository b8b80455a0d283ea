import { constants, type WriteStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { finished } from 'node:stream/promises'
import { StringDecoder } from 'node:string_decoder'

export interface CapturedOutput {
  /** What the model sees: everything, or the head and tail with a marker between them. */
  text: string
  truncated: boolean
  totalChars: number
  /** Whether the full output reached the log file. */
  logComplete: boolean
}

const count = (text: string, char: string) => {
  let n = 0
  for (let i = text.indexOf(char); i !== -1; i = text.indexOf(char, i + 1)) n++
  return n
}

/**
 * Keeps the first and last characters of a command's output for the model, and writes every byte
 * to a log file (mode 0600) as it arrives, so the full output stays available without being held
 * in memory.
 */
export class OutputCapture {
  #decoder = new StringDecoder('utf8')
  #head = ''
  #tail = ''
  #total = 0
  #lines = 0
  #log: WriteStream
  #logError: Error | undefined
  readonly #headChars: number
  readonly #tailChars: number

  private constructor(log: WriteStream, maxChars: number) {
    this.#log = log
    this.#headChars = Math.ceil(maxChars / 2)
    this.#tailChars = maxChars - this.#headChars
    log.on('error', (error) => (this.#logError ??= error))
  }

  /** Opens (creates or truncates) the log file at `path` with mode 0600, never following a symlink. */
  static async open(path: string, maxChars: number): Promise<OutputCapture> {
    const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600)
    await handle.chmod(0o600)
    return new OutputCapture(handle.createWriteStream(), maxChars)
  }

  /** Adds a chunk; returns its decoded text (a split UTF-8 character waits for the next chunk). */
  push(chunk: Buffer): string {
    if (!this.#logError) this.#log.write(chunk)
    const text = this.#decoder.write(chunk)
    this.#append(text)
    return text
  }

  #append(text: string): void {
    this.#total += text.length
    this.#lines += count(text, '\n')
    const room = this.#headChars - this.#head.length
    if (room > 0) {
      this.#head += text.slice(0, room)
      text = text.slice(room)
    }
    this.#tail += text
    if (this.#tail.length > 2 * this.#tailChars) this.#tail = this.#tail.slice(-this.#tailChars)
  }

  /** Flushes the decoder and closes the log; `logPath` is named in the marker of a cut output. */
  async finish(logPath: string): Promise<CapturedOutput> {
    const rest = this.#decoder.end()
    if (rest) this.#append(rest)
    this.#log.end()
    await finished(this.#log).catch(() => undefined)
    const logComplete = !this.#logError
    if (this.#head.length + this.#tail.length === this.#total) {
      return { text: this.#head + this.#tail, truncated: false, totalChars: this.#total, logComplete }
    }
    const tail = this.#tail.slice(-this.#tailChars)
    const cutChars = this.#total - this.#head.length - tail.length
    const cutLines = this.#lines - count(this.#head, '\n') - count(tail, '\n')
    const where = logComplete ? `the full output is in ${logPath}` : 'the full output could not be saved'
    const marker = `\n\n[... ${cutChars.toLocaleString('en-US')} characters (${cutLines.toLocaleString('en-US')} lines) cut from the middle; ${where} ...]\n\n`
    return { text: this.#head + marker + tail, truncated: true, totalChars: this.#total, logComplete }
  }
}
