import { existsSync } from 'node:fs'
import type { Server } from 'node:net'
import { duplexPair, type Duplex } from 'node:stream'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import { acquireDirLock, PlatformError, type Logger } from '../../../kernel/index.js'
import { MEMORY_DIR } from './config.js'
import { PersistenceErrorCode } from './errors.js'

/** A running embedded database: PGlite in this process behind a loopback PostgreSQL socket. */
export interface EmbeddedDatabase {
  /** postgres:// URL of the socket server (no password: the socket server accepts any login). */
  readonly url: string
  /**
   * A connection to the socket server that never leaves this process (a stream pair instead of a TCP socket),
   * for a pg client's `stream` option: the same protocol, session and query queue, without the socket's system calls.
   */
  connectInProcess(): Duplex
  /** Milliseconds PGlite took to open (initdb on a new directory, recovery on an existing one). */
  readonly openMs: number
  /** True when PGlite ran initdb (a new directory, or in memory). */
  readonly fresh: boolean
  /** Stop the socket server, close PGlite, release the directory lock. Call after closing pools. */
  close(): Promise<void>
}

export interface EmbeddedOptions {
  /** Data directory, or `memory://`. */
  dir: string
  /** Concurrent socket connections (the pglite-socket default of 1 breaks pooling). */
  maxConnections: number
  logger: Logger
}

/**
 * Lock the directory (a second server on it is refused with KERNEL_DATA_DIR_LOCKED), open PGlite
 * and serve it on 127.0.0.1 with an OS-assigned port.
 */
export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const inMemory = options.dir === MEMORY_DIR
  const releaseLock = inMemory ? () => undefined : acquireDirLock(options.dir)
  let db: PGlite | undefined
  try {
    const started = performance.now()
    const fresh = inMemory || !existsSync(join(options.dir, 'PG_VERSION'))
    db = await PGlite.create(options.dir)
    const openMs = Math.round(performance.now() - started)
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: options.maxConnections })
    await server.start()
    const address = server.getServerConn()
    options.logger.debug('embedded database listening', { dir: options.dir, address, openMs })
    const opened = db
    return {
      url: `postgres://postgres@${address}/postgres`,
      connectInProcess: () => inProcessConnection(server),
      openMs,
      fresh,
      async close() {
        try {
          await server.stop()
          await opened.close()
        } finally {
          releaseLock()
        }
      },
    }
  } catch (error) {
    await db?.close().catch(() => undefined)
    releaseLock()
    throw new PlatformError(
      PersistenceErrorCode.EMBEDDED_FAILED,
      `The embedded database in ${options.dir} could not start: ${(error as Error).message}. ` +
        'If the directory is damaged, move it away to start empty, or set DATABASE_URL to use a PostgreSQL server.',
      { details: { dir: options.dir }, cause: error },
    )
  }
}

/**
 * One end of a stream pair made to look like a client socket to pg; `connect()` hands the other end to the
 * socket server as a newly accepted connection (the `connection` event of its net.Server, which pglite-socket 0.2.17
 * keeps as `server`), so it gets its own handler on the server's query queue like any TCP client.
 */
function inProcessConnection(socketServer: PGLiteSocketServer): Duplex {
  const [client, served] = duplexPair({ allowHalfOpen: false })
  const socketLike = <T extends Duplex>(stream: T) => Object.assign(stream, { setNoDelay: () => stream, setKeepAlive: () => stream, ref: () => stream, unref: () => stream })
  return Object.assign(socketLike(client), {
    connect() {
      const net = (socketServer as unknown as { server: Server | null }).server
      if (!net) process.nextTick(() => client.destroy(new Error('the embedded database is not listening')))
      else {
        net.emit('connection', Object.assign(socketLike(served), { remoteAddress: 'in-process', remotePort: 0 }))
        process.nextTick(() => client.emit('connect'))
      }
      return client
    },
  })
}

/**
 * One full garbage collection once the database is ready after PGlite ran initdb on a new directory.
 * initdb's WebAssembly memory (~400 MiB) is garbage from then on, but an idle server allocates too
 * little for V8 to collect it: a fresh embedded server idled at 845 MiB RSS, 445 MiB after collecting.
 */
export function collectInitdbGarbage(): void {
  setFlagsFromString('--expose-gc')
  ;(runInNewContext('gc') as () => void)()
}
