/** How the kernel asks for a session title. */
export const TITLE_PROMPT = [
  'You name conversations. Reply with a title of at most six words for the conversation that starts with the',
  "user's message below: the topic or task, in the user's language, no quotes, no trailing period, nothing else.",
].join(' ')

/** A model's title answer -> a clean one-line title (first line, no quotes or "Title:" label, at most 80 characters); '' if none. */
export function cleanTitle(answer: string): string {
  const line = answer.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? ''
  const unlabeled = line.replace(/^(#+\s*)?(title\s*:\s*)?/i, '').replace(/^["'“”‘’`*]+|["'“”‘’`*]+$/g, '').replace(/[.。]+$/, '').trim()
  return unlabeled.length > 80 ? `${unlabeled.slice(0, 79).trimEnd()}…` : unlabeled
}
