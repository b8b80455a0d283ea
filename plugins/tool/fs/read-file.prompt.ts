export const READ_FILE_PROMPT = `Read a text file from the workspace.

- \`path\` is relative to the workspace (or absolute). Paths outside the workspace need the user's permission.
- Each line comes back prefixed with its line number, like \`   12| text\`. The prefix is not part of the file: never copy it into edit_file's old_string.
- By default the file is read from the first line. For large files, read a range with \`offset\` (1-based line number to start at) and \`limit\` (number of lines).
- Output stops at a size cap; the last line of the result then says which \`offset\` to use to read on.
- Very long lines are cut, and the cut is marked.
- Binary files (images, archives, compiled code) are refused; this tool only returns text.
- To find a file, use glob or list_dir; to search file contents, use grep.`
