import { definePlugin } from '../../../kernel/index.js'
import { configSchema } from './config.js'
import { createEditFileTool } from './edit-file.js'
import { createGlobTool } from './glob.js'
import { createGrepTool } from './grep.js'
import { createListDirTool } from './list-dir.js'
import { createReadFileTool } from './read-file.js'
import { createWriteFileTool } from './write-file.js'

/** File tools for agents: read, write, edit, list, glob and grep inside the session workspace. */
export default definePlugin({
  name: 'tool-fs',
  version: '0.1.0',
  description: 'File tools: read_file, write_file, edit_file, list_dir, glob, grep (workspace-bound, .env denied).',
  configSchema,
  register(ctx) {
    const options = ctx.options
    ctx.registries.tools.add(createReadFileTool(options))
    ctx.registries.tools.add(createWriteFileTool(options))
    ctx.registries.tools.add(createEditFileTool(options))
    ctx.registries.tools.add(createListDirTool(options))
    ctx.registries.tools.add(createGlobTool(options))
    ctx.registries.tools.add(createGrepTool(options))
  },
})
