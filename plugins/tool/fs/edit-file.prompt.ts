export const EDIT_FILE_PROMPT = `Edit a text file by replacing an exact piece of text.

- \`old_string\` must match the file exactly, character for character, including indentation and line breaks. Copy it from read_file output, without the \`   12| \` line-number prefix.
- \`old_string\` must occur exactly once, unless \`replace_all\` is true. If it occurs more than once, add surrounding lines to make it unique, or set \`replace_all\` to change every occurrence (e.g. to rename a variable).
- \`new_string\` replaces it; it must differ from \`old_string\`. An empty \`new_string\` deletes the text.
- Read the file first. If the edit fails, the error says why (text not found, with the closest lines; or how many matches there are): fix the arguments and retry.
- To create a new file or rewrite a whole file, use write_file.`
