export const GLOB_PROMPT = `Find files by name with a glob pattern.

- \`pattern\` is relative to the search directory, e.g. \`**/*.ts\`, \`src/**/*.test.ts\`, \`*.{json,yaml}\`, \`docs/*.md\`. \`*\` stays within one directory, \`**\` crosses directories.
- \`path\` is the directory to search (default: the workspace). Do not put \`..\` or absolute paths in the pattern; set \`path\` instead. Paths outside the workspace need the user's permission.
- Returns matching file paths (relative to the workspace), most recently modified first. Long results are cut; the last line then says so.
- \`.git\` and \`node_modules\` are skipped unless the pattern names them. Symbolic links are not followed.
- To search file contents, use grep.`
