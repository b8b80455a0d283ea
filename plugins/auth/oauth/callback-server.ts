import { createServer, type Server } from 'node:http'
import type { CallbackPage, CallbackSpec } from './adapter.js'
import { OAuthErrorCode, oauthError } from './errors.js'

/** What the browser brought back to the loopback redirect. */
export interface CallbackHit {
  code?: string
  state?: string
  error?: string
  errorDescription?: string
}

export interface CallbackListener {
  port: number
  redirectUri: string
  close(): Promise<void>
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.off('listening', onListening)
      reject(error)
    }
    const onListening = () => {
      server.off('error', onError)
      const address = server.address()
      resolve(typeof address === 'object' && address ? address.port : port)
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.listen(port, host)
  })
}

/**
 * Bind the loopback callback listener on the first free port of `spec` (as the reference does:
 * 8765-8795 for Anthropic, 1455-1485 for Codex, any free port for Google). Every request on
 * `spec.path` is handed to `onHit`, whose page is sent back; other paths get `notFound`.
 * All ports busy: AUTH_OAUTH_PORT_IN_USE.
 */
export async function openCallbackListener(
  spec: CallbackSpec,
  redirectUriFor: (port: number) => string,
  onHit: (hit: CallbackHit) => Promise<CallbackPage>,
  notFound: CallbackPage,
): Promise<CallbackListener> {
  const attempts = spec.port === 0 ? 1 : spec.attempts
  let lastError: NodeJS.ErrnoException | undefined
  for (let i = 0; i < attempts; i += 1) {
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://loopback')
      const send = (page: CallbackPage) => {
        response.writeHead(page.status, { ...page.headers, Connection: 'close' })
        response.end(page.body)
      }
      if (request.method !== 'GET' || url.pathname !== spec.path) return send(notFound)
      const get = (name: string) => url.searchParams.get(name) ?? undefined
      onHit({ code: get('code'), state: get('state'), error: get('error'), errorDescription: get('error_description') }).then(send, () => send(notFound))
    })
    try {
      const port = await listen(server, spec.host, spec.port + i)
      return {
        port,
        redirectUri: redirectUriFor(port),
        // Idle sockets go at once; a callback still being answered finishes first (its page says Connection: close).
        close: () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve())
            server.closeIdleConnections()
            setTimeout(() => server.closeAllConnections(), 2_000).unref()
          }),
      }
    } catch (error) {
      lastError = error as NodeJS.ErrnoException
      if (lastError.code !== 'EADDRINUSE' && lastError.code !== 'EACCES') break
    }
  }
  const range = attempts > 1 ? `ports ${spec.port}-${spec.port + attempts - 1}` : `port ${spec.port}`
  throw oauthError(
    OAuthErrorCode.PORT_IN_USE,
    `The OAuth callback listener cannot bind ${spec.host} ${range} (${lastError?.code ?? 'error'}): another program uses it. Free the port or set callbackPort in the auth-oauth config; meanwhile paste the redirect URL from the browser's address bar into this flow.`,
    { httpStatus: 409, details: { host: spec.host, port: spec.port, attempts } },
  )
}
