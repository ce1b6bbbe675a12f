// Stops when the completion closes a bracket it did not open: the block around the cursor is ending, and its
// closing bracket is already in the document. A closer that starts a line is cut with its indentation.
import type { StopRule } from './stopRule';

const closerOf: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const closers = new Set(Object.values(closerOf));

export const stopAtBlockClose: StopRule = (generated) => {
  const open: string[] = [];
  let quote: string | undefined;
  for (let i = 0; i < generated.length; i++) {
    const char = generated[i]!;
    if (quote) {
      if (char === '\\') i++;
      else if (char === quote || (char === '\n' && quote !== '`')) quote = undefined;
      continue;
    }
    if (char === '"' || char === "'" || char === '`') {
      quote = char;
    } else if (char === '/' && generated[i + 1] === '/') {
      const end = generated.indexOf('\n', i);
      if (end < 0) return undefined;
      i = end;
    } else if (closerOf[char]) {
      open.push(closerOf[char]!);
    } else if (closers.has(char)) {
      if (open.length > 0) {
        open.pop();
        continue;
      }
      const lineStart = generated.lastIndexOf('\n', i - 1) + 1;
      const startsLine = generated.slice(lineStart, i).trim() === '';
      return startsLine && lineStart > 0 ? lineStart - 1 : i;
    }
  }
  return undefined;
};
