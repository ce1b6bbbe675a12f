// Stops when the model starts writing what already follows the cursor: on the cursor's line, output that ends
// with the rest of that line; on later lines, a line equal to the first non-blank line of the suffix.
import type { StopRule } from './stopRule';

export function stopAtSuffixOverlap(suffix: string): StopRule {
  const newline = suffix.indexOf('\n');
  const restOfLine = (newline < 0 ? suffix : suffix.slice(0, newline)).trim();
  const nextLine = suffix
    .slice(newline < 0 ? suffix.length : newline + 1)
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line !== '');
  const anchor = restOfLine !== '' ? restOfLine : nextLine;

  return (generated) => {
    const firstBreak = generated.indexOf('\n');
    const firstLine = firstBreak < 0 ? generated : generated.slice(0, firstBreak);
    if (restOfLine !== '') {
      const trimmed = firstLine.trimEnd();
      if (trimmed.endsWith(restOfLine)) return trimmed.length - restOfLine.length;
    }
    if (anchor === undefined) return undefined;
    // Only complete lines are compared, so a line that merely starts like the anchor does not stop early.
    let lineStart = firstBreak + 1;
    while (firstBreak >= 0) {
      const lineEnd = generated.indexOf('\n', lineStart);
      if (lineEnd < 0) break;
      if (generated.slice(lineStart, lineEnd).trim() === anchor) return lineStart - 1;
      lineStart = lineEnd + 1;
    }
    return undefined;
  };
}
