// The user's recent edits to one document, as a next-edit model reads them: hunks of whole lines, each the text a
// region held before and after (Sweep's `original:` / `updated:` blocks, without unified-diff syntax). Keystrokes on
// the same or adjacent lines coalesce into one hunk; an edit elsewhere closes it and opens the next. At most
// `maxHunks` are kept, the oldest dropped. Kept in the server's memory only, never written anywhere.

/** Line endings are LF here: a CRLF document is read with its `\r` dropped, and edits are put back with its own. */
export function toLf(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

export interface Hunk {
  /** First line of the region (0-based) in the document as it was before this hunk. */
  startLine: number;
  /** The region's lines before and after, joined by `\n` ('' for an insertion or a deletion). */
  original: string;
  updated: string;
}

/** Lines `[start, oldEnd)` of `before` became lines `[start, newEnd)` of `after`; null where nothing changed. */
export interface LineChange {
  start: number;
  oldEnd: number;
  newEnd: number;
}

/** The one region of whole lines in which `before` and `after` differ (common lines trimmed from both ends). */
export function changedLines(before: readonly string[], after: readonly string[]): LineChange | null {
  let start = 0;
  const shorter = Math.min(before.length, after.length);
  while (start < shorter && before[start] === after[start]) start++;
  if (start === before.length && start === after.length) return null;
  let oldEnd = before.length;
  let newEnd = after.length;
  while (oldEnd > start && newEnd > start && before[oldEnd - 1] === after[newEnd - 1]) {
    oldEnd--;
    newEnd--;
  }
  return { start, oldEnd, newEnd };
}

export interface EditHistoryLimits {
  /** Hunks kept per document (the oldest dropped). */
  maxHunks: number;
  /** A hunk with more lines than this on either side (a paste, a reformat) is not an example of an edit: left out. */
  maxHunkLines: number;
}

export const defaultHistoryLimits: EditHistoryLimits = { maxHunks: 10, maxHunkLines: 40 };

/** One document's edits since it was opened. */
export class DocumentEdits {
  private closed: Hunk[] = [];
  /** The document's lines before the open hunk began (undefined: none open). */
  private openBefore: string[] | undefined;
  /** The document's lines before the last closed hunk began: the "before the last edit" where none is open. */
  private closedBefore: string[] | undefined;
  private lines: string[];

  constructor(
    text: string,
    private readonly limits: EditHistoryLimits = defaultHistoryLimits,
  ) {
    this.lines = toLf(text).split('\n');
  }

  /** The document is now `text`. */
  update(text: string): void {
    const next = toLf(text).split('\n');
    const change = changedLines(this.lines, next);
    if (!change) return;
    const open = this.openRange();
    // On the open hunk's lines or right beside them (the line above or below): the same edit goes on.
    const continues = open !== null && change.start <= open.end && change.oldEnd >= open.start;
    if (!continues) {
      this.close();
      this.openBefore = this.lines;
    }
    this.lines = next;
    // Typed and taken back: the open hunk changes nothing now, and is no edit.
    if (this.openBefore && changedLines(this.openBefore, this.lines) === null) this.openBefore = undefined;
  }

  /** The edits, oldest first, the open one last; hunks too large to be an example are left out. */
  hunks(): Hunk[] {
    const open = this.openBefore && hunkOf(this.openBefore, this.lines);
    return this.examples([...this.closed, ...(open ? [open] : [])]);
  }

  /**
   * The edits before the last one, oldest first: the recent changes a next-edit prompt lists. The last edit (the open
   * hunk, else the last closed one) is not among them: the prompt shows it as the block before it and the block now.
   */
  earlierHunks(): Hunk[] {
    return this.examples(this.openBefore ? this.closed : this.closed.slice(0, -1));
  }

  /** The document's lines now. */
  get current(): readonly string[] {
    return this.lines;
  }

  /** The document as it was before its last edit (as it is now, where there was none), and that edit's lines. */
  lastEdit(): { before: readonly string[]; change: LineChange | null } {
    const before = this.openBefore ?? this.closedBefore ?? this.lines;
    return { before, change: changedLines(before, this.lines) };
  }

  /**
   * Lines `[start, end)` of the document now, as they were before the last edit: the model's `original/` block. Lines
   * the edit replaced map to the lines it replaced.
   */
  beforeLastEdit(start: number, end: number): { lines: string[]; start: number; end: number } {
    const { before, change } = this.lastEdit();
    const from = toBefore(change, start, false);
    const to = Math.max(from, toBefore(change, end, true));
    return { lines: before.slice(from, to), start: from, end: to };
  }

  private examples(hunks: Hunk[]): Hunk[] {
    return hunks.filter((hunk) => lineCount(hunk.original) <= this.limits.maxHunkLines && lineCount(hunk.updated) <= this.limits.maxHunkLines);
  }

  /** The open hunk's lines in the document now, or null. */
  private openRange(): { start: number; end: number } | null {
    const change = this.openBefore && changedLines(this.openBefore, this.lines);
    return change ? { start: change.start, end: change.newEnd } : null;
  }

  private close(): void {
    if (!this.openBefore) return;
    const hunk = hunkOf(this.openBefore, this.lines);
    if (hunk) this.closed.push(hunk);
    this.closedBefore = this.openBefore;
    this.openBefore = undefined;
    if (this.closed.length > this.limits.maxHunks - 1) this.closed.splice(0, this.closed.length - (this.limits.maxHunks - 1));
  }
}

/**
 * Line `line` of the document after `change` (a line index, or with `isEnd` a range's exclusive end), in the document
 * before it: lines before the change stay, lines after it shift back, lines inside it map to the change's start (a
 * range's end inside it, to the change's end).
 */
export function toBefore(change: LineChange | null, line: number, isEnd: boolean): number {
  if (!change || line <= change.start) return line;
  if (line >= change.newEnd) return line - (change.newEnd - change.oldEnd);
  return isEnd ? change.oldEnd : change.start;
}

function hunkOf(before: readonly string[], after: readonly string[]): Hunk | null {
  const change = changedLines(before, after);
  if (!change) return null;
  return { startLine: change.start, original: before.slice(change.start, change.oldEnd).join('\n'), updated: after.slice(change.start, change.newEnd).join('\n') };
}

function lineCount(text: string): number {
  return text === '' ? 0 : text.split('\n').length;
}

/** Every open document's edits, by URI; a closed document's are forgotten. */
export class EditHistory {
  private readonly documents = new Map<string, DocumentEdits>();

  constructor(private readonly limits: EditHistoryLimits = defaultHistoryLimits) {}

  opened(uri: string, text: string): void {
    this.documents.set(uri, new DocumentEdits(text, this.limits));
  }

  changed(uri: string, text: string): void {
    const document = this.documents.get(uri);
    if (document) document.update(text);
    else this.opened(uri, text);
  }

  closed(uri: string): void {
    this.documents.delete(uri);
  }

  of(uri: string): DocumentEdits | undefined {
    return this.documents.get(uri);
  }
}
