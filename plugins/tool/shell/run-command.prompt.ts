/** Model-facing description of run_command. */
export function runCommandPrompt(o: { timeoutMs: number; maxTimeoutMs: number; outputChars: number; allowNetwork: boolean }): string {
  const lines = [
    "Runs a shell command line (bash -c) in the session's workspace directory and returns its output, stdout and stderr interleaved, with the exit code on the first line.",
    '',
    'Usage:',
    '- Every call starts a fresh shell in the workspace: `cd`, variables and background jobs do not carry over. Chain dependent steps in one call with `&&`.',
    '- stdin is empty. Use non-interactive flags (`-y`, `--yes`, `git --no-pager`, `CI=1`); a command that waits for input gets end-of-file.',
    `- Timeout: ${o.timeoutMs / 1000} s by default; pass \`timeout_ms\` (at most ${o.maxTimeoutMs}) for long builds or test runs. On timeout the command and every process it started are stopped.`,
    '- Processes still running when the command line ends are stopped, so do not start a server in the background expecting it to stay up.',
    '- A non-zero exit code is not a tool failure: read the output to see what went wrong.',
    `- Output longer than about ${o.outputChars} characters keeps its beginning and end; the full output is saved to a log file whose path is given, so you can search it with grep, head, tail or sed.`,
    '- Prefer dedicated file tools (read, edit, search) when they are available over cat, sed -i, grep or find.',
    '- Environment variables that hold secrets (keys, tokens, passwords) are removed from the environment.',
    '- Give `description` a few words on what the command does, e.g. "Run the unit tests".',
  ]
  if (!o.allowNetwork) lines.push('- Network access is switched off for these commands: do not download or call remote services.')
  return lines.join('\n')
}
