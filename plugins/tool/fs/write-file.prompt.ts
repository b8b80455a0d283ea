export const WRITE_FILE_PROMPT = `Create a file or replace its whole content.

- \`path\` is relative to the workspace (or absolute; paths outside the workspace need the user's permission). Missing parent directories are created.
- \`content\` is the complete new content of the file, written exactly as given (UTF-8).
- To change part of an existing file, prefer edit_file: it is safer and cheaper than rewriting the whole file.
- Read an existing file with read_file before overwriting it, so no content is lost by accident.`
