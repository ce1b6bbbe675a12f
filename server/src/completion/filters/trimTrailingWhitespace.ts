// Ghost text that ends in spaces or blank lines only moves the user's cursor somewhere odd.
export function trimTrailingWhitespace(completion: string): string {
  return completion.replace(/\s+$/u, '');
}
