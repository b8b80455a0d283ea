import { isPlatformError, PlatformError } from '../../../kernel/index.js'
import type { McpConnection } from './connection.js'
import { toAttachment, type Attachment, type ResourceContents } from './content.js'
import { McpErrorCode } from './errors.js'

/** JSON-RPC codes servers use for an unknown resource: -32002 (spec) or -32602 (invalid params, the SDK's McpServer). */
const NOT_FOUND_CODES = new Set([-32002, -32602])

/** Read one resource (a listed one or one made from a template); an unknown uri is a 404. */
export async function readResource(connection: McpConnection, uri: string): Promise<ResourceContents[]> {
  try {
    const result = await connection.request(`resource ${uri}`, (client, timeout) => client.readResource({ uri }, { timeout }))
    return result.contents as ResourceContents[]
  } catch (error) {
    if (isPlatformError(error) && error.code === McpErrorCode.REQUEST_FAILED && NOT_FOUND_CODES.has(Number(error.details?.mcpCode))) {
      throw new PlatformError(McpErrorCode.RESOURCE_NOT_FOUND, `MCP server "${connection.name}" has no resource "${uri}" (${error.message}). List them with GET /api/mcp/servers/${connection.name}/resources.`, {
        httpStatus: 404,
        details: { server: connection.name, uri },
      })
    }
    throw error
  }
}

/** A resource as message attachments ({name, mimeType, data base64}), one per content item, named after the listed resource when known. */
export async function resourceAttachments(connection: McpConnection, uri: string): Promise<Attachment[]> {
  const contents = await readResource(connection, uri)
  const listed = connection.listings.resources.find((r) => r.uri === uri)
  return contents.map((item, i) => toAttachment(item, listed && i === 0 ? listed.name : undefined))
}
