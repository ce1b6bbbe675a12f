// Whitespace-only ghost text is invisible but Tab would still insert it.
export function dropIfOnlyWhitespace(completion: string): string {
  return completion.trim() === '' ? '' : completion;
}
