import { randomFillSync } from 'node:crypto'
import { monotonicFactory } from 'ulid'
import type { Clock, Ids, Logger } from './types.js'

export const systemClock: Clock = { now: () => new Date() }

/**
 * ulid's random source, drawn from a pool of crypto-random bytes refilled 4 KiB at a time (ulid's default
 * asks the OS for one byte per character: 16 calls per new id).
 */
export function pooledRandom(): () => number {
  const pool = Buffer.alloc(4096)
  let at = pool.length
  return () => {
    if (at === pool.length) {
      randomFillSync(pool)
      at = 0
    }
    return pool[at++] / 256
  }
}

export function createUlidIds(): Ids {
  const next = monotonicFactory(pooledRandom())
  return { next: (prefix) => (prefix ? `${prefix}_${next()}` : next()) }
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const
export type LogLevel = keyof typeof LEVELS

/** One JSON line per record on stderr; values are expected to be redacted by the caller. */
export function createLogger(options: { level: LogLevel; label?: string; write?: (line: string) => void }): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'))
  const emit = (level: Exclude<LogLevel, 'silent'>, message: string, fields?: Record<string, unknown>): void => {
    if (LEVELS[level] < LEVELS[options.level]) return
    write(JSON.stringify({ time: new Date().toISOString(), level, ...(options.label ? { plugin: options.label } : {}), msg: message, ...fields }))
  }
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (label) => createLogger({ ...options, label }),
  }
}
