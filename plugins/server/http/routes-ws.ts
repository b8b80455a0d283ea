import fastifyWebsocket from '@fastify/websocket'
import type { FastifyInstance } from 'fastify'
import { PlatformError, protocol } from '../../../kernel/index.js'
import type { RouteDoc } from './route-docs.js'
import type { WsDeps, WsHub } from './websocket.js'
import type { Caller } from './access.js'

/** Doc of `GET /api/ws`: the messages both ways are in `x-websocket`. */
export const wsRouteDocs = {
  ws: {
    id: 'events.websocket', method: 'GET', path: protocol.WS_PATH, tags: ['events'],
    summary: 'WebSocket: subscribe to `global` and `session:<id>` streams (replay after `since`, then live); frames are the SSE envelopes.',
    success: { status: 101, description: 'Switching Protocols: JSON text messages both ways (x-websocket).' },
    errors: { 426: ['REQUEST_UPGRADE_REQUIRED'], 503: ['SERVER_HTTP_CLOSING'] },
    extensions: {
      'x-websocket': {
        clientMessage: protocol.wsClientMessage,
        serverFrame: protocol.wsServerFrameSchema,
        closeCodes: { 1001: 'server shutting down', 1013: 'slow consumer: too much unsent output' },
      },
    },
  },
} satisfies Record<string, RouteDoc>

/** Load @fastify/websocket and mount `GET /api/ws`; a plain HTTP GET there is told to upgrade (426). */
export async function registerWsRoute(app: FastifyInstance, deps: { hub: WsHub; ws: WsDeps; maxMessageBytes: number; access?: (caller: Caller) => Pick<WsDeps, 'openSession' | 'openGlobal'> }): Promise<void> {
  await app.register(fastifyWebsocket, { options: { maxPayload: deps.maxMessageBytes } })
  const doc = wsRouteDocs.ws
  app.route({
    method: doc.method,
    url: doc.path,
    handler: async () => {
      throw new PlatformError('REQUEST_UPGRADE_REQUIRED', `${doc.path} is a WebSocket endpoint; connect with a WebSocket client (Upgrade: websocket).`, { httpStatus: 426 })
    },
    // The caller was resolved from the upgrade request (token in the header or `access_token`): each socket checks its subscriptions with it.
    wsHandler: (socket, request) => deps.hub.accept(socket, { ...deps.ws, ...(deps.access ? deps.access(request.caller) : {}) }, request.raw.socket),
  })
}
