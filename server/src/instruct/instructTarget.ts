// Which code an instruction is about: the selection, or else the function/class/method around the cursor (the
// innermost scope tree-sitter finds), or else, without a grammar, the block of lines around the cursor. Refactor
// works on whole lines, so that its changes are line hunks and the file's other text is never touched.

export interface OffsetRange {
  start: number;
  end: number;
}

export interface InstructTarget extends OffsetRange {
  code: string;
  /** Where the code came from: the user's selection, the scope around the cursor, or the lines around it. */
  kind: 'selection' | 'scope' | 'lines';
  /** The first line of each scope outside the target, outermost first (a class header around a method). */
  outerHeaders: string[];
}

/** Lines taken around the cursor where no scope is known, at most. */
const maxBlockLines = 60;

const lineStart = (text: string, offset: number) => text.lastIndexOf('\n', offset - 1) + 1;
const lineEnd = (text: string, offset: number) => {
  const newline = text.indexOf('\n', offset);
  return newline < 0 ? text.length : newline;
};

/** The range grown to whole lines; a selection that ends at a line's start does not take that line. */
export function wholeLines(text: string, range: OffsetRange): OffsetRange {
  const start = lineStart(text, range.start);
  const endsAtLineStart = range.end > range.start && lineStart(text, range.end) === range.end;
  const end = endsAtLineStart ? range.end - 1 : lineEnd(text, range.end);
  return { start, end: Math.max(start, end) };
}

/**
 * `scopes`: the ranges of the scopes containing the cursor, innermost first (from the grammar's scope query; empty
 * without a grammar). `lines`: refactor's whole-line rule.
 */
export function findTarget(text: string, selection: OffsetRange | undefined, offset: number, scopes: readonly OffsetRange[], lines: boolean): InstructTarget | undefined {
  const headers = (outer: readonly OffsetRange[]) => outer.map((scope) => text.slice(scope.start, lineEnd(text, scope.start)).trim()).reverse();
  let range: OffsetRange;
  let kind: InstructTarget['kind'];
  let outer: readonly OffsetRange[] = [];
  if (selection && selection.end > selection.start) {
    range = lines ? wholeLines(text, selection) : selection;
    kind = 'selection';
    outer = scopes.filter((scope) => scope.start < range.start && scope.end >= range.end);
  } else if (scopes.length > 0) {
    range = wholeLines(text, scopes[0]!);
    kind = 'scope';
    outer = scopes.slice(1);
  } else {
    range = blockAround(text, offset);
    kind = 'lines';
  }
  const code = text.slice(range.start, range.end);
  if (code.trim() === '') return undefined;
  return { ...range, code, kind, outerHeaders: headers(outer) };
}

/** The lines around the cursor up to blank lines on either side, at most maxBlockLines. */
function blockAround(text: string, offset: number): OffsetRange {
  const lines = text.split('\n');
  let line = text.slice(0, offset).split('\n').length - 1;
  while (line > 0 && lines[line]!.trim() === '' && line > 0) line--;
  let first = line;
  let last = line;
  while (first > 0 && lines[first - 1]!.trim() !== '' && last - first < maxBlockLines) first--;
  while (last < lines.length - 1 && lines[last + 1]!.trim() !== '' && last - first < maxBlockLines) last++;
  const start = lines.slice(0, first).reduce((sum, l) => sum + l.length + 1, 0);
  const end = start + lines.slice(first, last + 1).join('\n').length;
  return { start, end };
}
