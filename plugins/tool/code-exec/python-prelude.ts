/**
 * The program the Python child runs (never the server): `python3 -I -S -B -u prelude.py <snippet
 * file>`. It executes the snippet as __main__, then writes the result as JSON to fd 3: the value of
 * the global result when the snippet set it, else the value of its last expression (when that is
 * not None). Errors are printed as a traceback without the prelude's own frame. Kept as a string
 * (no backticks or dollar-brace inside); it is written into each call's temp dir.
 */
export const PYTHON_PRELUDE_SOURCE = String.raw`import ast
import json
import linecache
import os
import sys
import traceback

FILENAME = 'snippet.py'


def encode(value):
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return json.dumps(repr(value))


def write_result(text):
    with os.fdopen(3, 'w', encoding='utf-8') as out:
        out.write(text)


def main():
    with open(sys.argv[1], encoding='utf-8') as f:
        source = f.read()
    linecache.cache[FILENAME] = (len(source), None, source.splitlines(True), FILENAME)
    try:
        tree = ast.parse(source, filename=FILENAME)
    except SyntaxError as error:
        sys.stderr.write(''.join(traceback.format_exception_only(type(error), error)))
        return 1
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    scope = {'__name__': '__main__', '__builtins__': __builtins__}
    value = None
    try:
        exec(compile(tree, FILENAME, 'exec'), scope)
        if last is not None:
            value = eval(compile(last, FILENAME, 'eval'), scope)
    except SystemExit:
        raise
    except BaseException as error:
        sys.stderr.write(''.join(traceback.format_exception(type(error), error, error.__traceback__.tb_next)))
        return 1
    if 'result' in scope:
        value = scope['result']
    if value is not None:
        write_result(encode(value))
    return 0


sys.exit(main())
`
