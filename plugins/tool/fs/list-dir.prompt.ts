export const LIST_DIR_PROMPT = `List the entries of one directory (not recursive).

- \`path\` is relative to the workspace (default: the workspace itself) or absolute; paths outside the workspace need the user's permission.
- Each line shows the type (dir, file, link, other), the name (directories end with /), and for files the size; links show their target.
- Directories come first, then files, each sorted by name. Long listings are cut; the last line then says so.
- \`.git\` and \`node_modules\` are left out unless \`include_ignored\` is true.
- To find files by name across directories, use glob; to search contents, use grep.`
