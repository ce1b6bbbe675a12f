// What of a model's answer to a refactor instruction may go into the user's file: the code only. A fenced block is
// taken as the code (the first one; while streaming, an unclosed fence's content so far); without fences, prose lines
// before and after the code are dropped. An answer with no code left yields undefined, and the proposal is refused.

const fence = /^\s*(```|~~~)[\w+#.-]*\s*$/;

/** Whether a line reads as a sentence rather than code: words and sentence punctuation, none of code's symbols. */
export function looksLikeProse(line: string): boolean {
  const trimmed = line.trim();
  if (trimmed === '') return false;
  if (/^(\/\/|#|\/\*|\*|--|;|<!--)/.test(trimmed)) return false; // a comment is code
  if (/[{}();=<>[\]]|=>|:=|\w\.\w+\(/.test(trimmed)) return false;
  const words = trimmed.split(/\s+/);
  const wordy = words.filter((word) => /^[A-Za-z][a-z'’-]*[,.:!?]?$/.test(word)).length;
  return words.length >= 3 && wordy / words.length >= 0.7 && /^[A-Z`*"'(]/.test(trimmed);
}

/**
 * The code in `answer`. `openedFence`: the prompt itself opened a fence (plain prompts end with one), so the answer
 * starts inside it. `complete`: the answer is final (while streaming, the last line may be half-written).
 */
export function extractCode(answer: string, options: { openedFence?: boolean; complete?: boolean } = {}): string | undefined {
  const text = answer.replace(/\r\n/g, '\n');
  const lines = text.split('\n');
  let code: string[];
  const start = options.openedFence ? -1 : lines.findIndex((line) => fence.test(line));
  if (options.openedFence || start >= 0) {
    const rest = lines.slice(start + 1);
    const end = rest.findIndex((line) => /^\s*(```|~~~)\s*$/.test(line));
    code = end >= 0 ? rest.slice(0, end) : rest;
  } else {
    code = lines;
    while (code.length > 0 && (looksLikeProse(code[0]!) || code[0]!.trim() === '')) code = code.slice(1);
    while (code.length > 0 && (looksLikeProse(code.at(-1)!) || code.at(-1)!.trim() === '')) code = code.slice(0, -1);
  }
  while (code.length > 0 && code[0]!.trim() === '') code = code.slice(1);
  const result = code.join('\n').replace(/\s+$/, '');
  if (result.trim() === '') return undefined;
  if (options.complete && result.split('\n').every((line) => line.trim() === '' || looksLikeProse(line))) return undefined;
  return result;
}

/** Whether the code in a streamed answer is complete: its fence closed (no more code will come). */
export function codeBlockClosed(answer: string, openedFence: boolean): boolean {
  const lines = answer.split('\n');
  const start = openedFence ? -1 : lines.findIndex((line) => fence.test(line));
  if (!openedFence && start < 0) return false;
  // A closing fence is a whole line: the line after it has begun.
  return lines.slice(start + 1, -1).some((line) => /^\s*(```|~~~)\s*$/.test(line));
}

const indentOf = (line: string) => /^[ \t]*/.exec(line)![0];

/**
 * The proposal indented like the code it replaces: models often answer with a method taken out of its class at
 * column 0. Where the proposal's least indentation is less than the original's, the difference is added to every line.
 */
export function matchIndentation(original: string, proposal: string): string {
  const least = (text: string) =>
    text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map(indentOf)
      .reduce<string | undefined>((min, indent) => (min === undefined || indent.length < min.length ? indent : min), undefined) ?? '';
  const want = least(original);
  const have = least(proposal);
  if (have.length >= want.length || !want.startsWith(have)) return proposal;
  const extra = want.slice(have.length);
  return proposal
    .split('\n')
    .map((line) => (line.trim() === '' ? line : extra + line))
    .join('\n');
}
