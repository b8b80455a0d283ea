import { definePlugin } from '../../../kernel/index.js'
import { configSchema } from './config.js'
import { createWebFetchTool } from './web-fetch.js'

/** web_fetch: URL to markdown or text, with size and time caps and an SSRF guard. */
export default definePlugin({
  name: 'tool-web',
  version: '0.1.0',
  description: 'The web_fetch tool: fetches public URLs as markdown or text; refuses internal addresses (SSRF guard).',
  configSchema,
  register(ctx) {
    ctx.registries.tools.add(createWebFetchTool(ctx.options))
  },
})
