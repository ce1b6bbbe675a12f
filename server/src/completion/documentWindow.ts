// The prompt's raw material: the text around the cursor, windowed so that huge files cost no more than small
// ones. Windows start and end on line boundaries, so a keystroke rarely moves them (the KV prefix stays valid).

export interface DocumentWindow {
  prefix: string;
  suffix: string;
}

export const defaultWindow = { prefixChars: 6000, suffixChars: 2000 };

/**
 * The prefix window's start snaps to a grid of this many characters (at most a quarter of the window), so it
 * moves once per grid step of typing, not on each keystroke.
 */
export const prefixAnchorChars = 1024;

export function windowAroundCursor(text: string, offset: number, limits = defaultWindow): DocumentWindow {
  let prefixStart = Math.max(0, offset - limits.prefixChars);
  if (prefixStart > 0) {
    const grid = Math.max(1, Math.min(prefixAnchorChars, Math.floor(limits.prefixChars / 4)));
    prefixStart = Math.min(offset, Math.ceil(prefixStart / grid) * grid);
    const lineStart = text.indexOf('\n', prefixStart);
    prefixStart = lineStart >= 0 && lineStart < offset ? lineStart + 1 : prefixStart;
  }
  let suffixEnd = Math.min(text.length, offset + limits.suffixChars);
  if (suffixEnd < text.length) {
    const lineEnd = text.lastIndexOf('\n', suffixEnd);
    suffixEnd = lineEnd > offset ? lineEnd + 1 : suffixEnd;
  }
  return { prefix: text.slice(prefixStart, offset), suffix: text.slice(offset, suffixEnd) };
}

/** The rest of the cursor's line: when it holds code, the completion should stay on this line. */
export function restOfLine(suffix: string): string {
  const newline = suffix.indexOf('\n');
  return newline < 0 ? suffix : suffix.slice(0, newline);
}
