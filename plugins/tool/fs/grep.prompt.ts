export const GREP_PROMPT = `Search file contents with a regular expression.

- \`pattern\` is a regular expression (JavaScript / ripgrep syntax), e.g. \`function\\s+loadConfig\`, \`TODO|FIXME\`, \`import .* from 'zod'\`. Escape special characters (\`( ) [ ] { } . * + ? | \\\\\`) to match them literally. Set \`case_insensitive\` to ignore case.
- \`path\` is the directory (or single file) to search, relative to the workspace (default: the workspace) or absolute; paths outside the workspace need the user's permission.
- \`include\` / \`exclude\` are globs for the files to search / skip: one without a slash matches a file name at any depth (\`*.ts\`, \`*.{js,jsx}\`), one with a slash is relative to \`path\` (\`src/**/*.ts\`).
- Each matching line comes back as \`path:line: text\`, files in path order. Results are capped; the last line then says so: narrow the pattern, the path or the globs.
- Binary files, \`.git\`, \`node_modules\`, \`.env\` files and symbolic links are skipped.
- To find files by name, use glob; to read a hit in context, use read_file with \`offset\`.`
