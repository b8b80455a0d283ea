/**
 * Sources of small third-party-style plugins for tests, written into a folder made by
 * `createOutsideFolder` (they import the kernel by its package name).
 */

/** `tool-sample`: one read tool, `read_note {title}`, that answers with the title. */
export const SAMPLE_TOOL_PLUGIN = `
import { definePlugin, defineTool } from 'agent-platform/kernel'
import { z } from 'zod'
export default definePlugin({
  name: 'tool-sample',
  register(ctx) {
    ctx.registries.tools.add(defineTool({
      name: 'read_note', description: 'Reads a note.', kind: 'read',
      inputSchema: z.object({ title: z.string() }).strict(),
      async execute(args) { return { output: args.title } },
    }))
  },
})`
