export const EXECUTE_CODE_PROMPT = `Run a short JavaScript or Python snippet in an isolated child process and get its stdout, stderr and result.

Use it for calculations, data transformation, checking how a language feature behaves, or trying out an algorithm. It is not a shell and does not run in the user's workspace: use the file and command tools for those.

Each call starts fresh in an empty temporary directory (the current directory and HOME), which is deleted afterwards; nothing persists between calls. The environment holds only PATH, HOME and LANG.

Result: the value of the snippet's last expression, returned as JSON. Set a global variable named result (JavaScript: \`result = value\` without let/const; Python: \`result = value\`) to return something else; it takes precedence over the last expression.

JavaScript (Node.js, script mode, CommonJS): use \`require('node:...')\` for built-in modules; \`import\` statements are not supported. Top-level await works, but then only \`result = ...\` returns a value. The snippet can read and write files only in its directory; reading other files, starting processes, worker threads and process.kill are refused.

Python 3 (when the server has it): isolated mode without site-packages, so only the standard library is available. Standard input is empty.

Limits: a time limit (default applies unless you pass timeout_ms), a memory limit, and long stdout or stderr are cut in the middle. An exception, a non-zero exit code, a timeout or the memory limit make the call fail, with the error text from stderr.`
