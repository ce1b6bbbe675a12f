// The next-edit prompt in the format Sweep's next-edit models were trained on (model card of
// sweepai/sweep-next-edit-v2-7B, "Prompt format"; the same `<|file_sep|>` sections as the 1.5B):
//
//   <|file_sep|>{file_path}
//   {file_contents: ~300 lines around the cursor}
//   {retrieval_chunks: <|file_sep|>{path}\n{text} each}
//   {recent_changes: <|file_sep|>{file_path}.diff\noriginal:\n{before}\nupdated:\n{after} each, oldest first}
//   <|file_sep|>original/{file_path}:{start}:{end}
//   {the code block before the last edit}
//   <|file_sep|>current/{file_path}:{start}:{end}
//   {the code block now, <|cursor|> at the cursor}
//   <|file_sep|>updated/{file_path}:{start}:{end}
//   {prefill}
//
// and the model writes the rest of the updated block. The card names the sections and their order; the reference
// `inference.py` it points to was not readable here, so what the card leaves open is one named constant each below
// (the block's lines, the line numbers' base, the prefill). Sections are joined by `\n`, and every line ending is LF
// (a CRLF document's edits are put back with its own endings).
//
// The last edit is the one the `original/` and `current/` blocks show (before it, and now); the recent changes are the
// edits before it, and the file section is the file before it. That file section is where this layout chooses for
// speed: the card's example passes the file as it is now, which would change the prompt at the cursor with every
// keystroke and make each follow-up evaluate everything after it; before the last edit, it holds still while the user
// types on in one place (the edit in progress is in the blocks), and moves once an edit elsewhere begins.
//
// The prompt is parts, not a string: the markers are special tokens, and the user's text is tokenized as plain text
// (a file that contains `<|file_sep|>` must not split the prompt). Stable parts come first — the file section, the
// retrieval chunks, the older edits — so a follow-up request reuses their KV state; what a keystroke changes (the
// latest edit, the blocks) comes last.
import { type DocumentEdits, toBefore } from './editHistory';

export const fileSep = '<|file_sep|>';
export const cursorMarker = '<|cursor|>';
/** The special tokens the prompt uses, each one token in the model's vocabulary. */
export const nextEditMarkers = [fileSep, cursorMarker] as const;

/** The code block: this many lines above the cursor's line and below it (21 lines; Sweep's blog: fixed 21-line windows). */
export const blockLinesAround = 10;
/** The file section: this many lines above and below the cursor (the card: ~300 lines of file context). */
export const fileLinesAround = 150;

/** One piece of the prompt: text tokenized as text, or a marker tokenized as its special token. */
export type PromptPart = { text: string } | { special: (typeof nextEditMarkers)[number] };

export interface RetrievalChunk {
  path: string;
  text: string;
}

export interface NextEditInput {
  /** Workspace-relative path, `/`-separated. */
  path: string;
  edits: DocumentEdits;
  /** Cursor in the document now (0-based line, and character in that line). */
  cursor: { line: number; character: number };
  retrieval?: readonly RetrievalChunk[];
  /**
   * When false (the card's `changes_above_cursor=False`), the updated block starts with the block's lines above the
   * cursor's line as they are: the model writes from the cursor's line down, fewer tokens to generate.
   */
  changesAboveCursor?: boolean;
  /** Lines of file context above and below the cursor (`fileLinesAround` unless told: fewer where the context is short). */
  fileLinesAround?: number;
}

/** The block the model rewrites: lines `[start, end)` of the document now (0-based, end exclusive). */
export interface EditableBlock {
  start: number;
  end: number;
  /** Its lines now, and the lines of the updated block the prompt already gives (the prefill). */
  lines: readonly string[];
  prefillLines: number;
}

export interface NextEditPrompt {
  parts: PromptPart[];
  block: EditableBlock;
}

/** `{start}:{end}` in the section headers: 0-based first line, end exclusive (Python's slice of the file's lines). */
const range = (start: number, end: number) => `${start}:${end}`;

/** The block around the cursor's line (clamped to the document), as lines `[start, end)`. */
export function blockAround(lineCount: number, line: number): { cursorLine: number; start: number; end: number } {
  const cursorLine = Math.min(Math.max(0, line), lineCount - 1);
  return { cursorLine, start: Math.max(0, cursorLine - blockLinesAround), end: Math.min(lineCount, cursorLine + blockLinesAround + 1) };
}

export function buildNextEditPrompt(input: NextEditInput): NextEditPrompt {
  const lines = input.edits.current;
  const { cursorLine, start, end } = blockAround(lines.length, input.cursor.line);
  // The file section is the file before the last edit, around the cursor's place in it: while the user types on in one
  // place, everything up to the blocks stays the same, and a follow-up request evaluates only the block now.
  const last = input.edits.lastEdit();
  const around = input.fileLinesAround ?? fileLinesAround;
  const fileCursor = toBefore(last.change, cursorLine, false);
  const fileLines = last.before.slice(Math.max(0, fileCursor - around), Math.min(last.before.length, fileCursor + around + 1));

  const parts: PromptPart[] = [];
  const section = (header: string, body: string) => parts.push({ special: fileSep }, { text: `${header}\n${body}\n` });
  section(input.path, fileLines.join('\n'));
  for (const chunk of input.retrieval ?? []) section(chunk.path, chunk.text.replace(/\r\n?/g, '\n'));
  for (const hunk of input.edits.earlierHunks()) section(`${input.path}.diff`, `original:\n${hunk.original}\nupdated:\n${hunk.updated}`);

  const original = input.edits.beforeLastEdit(start, end);
  section(`original/${input.path}:${range(original.start, original.end)}`, original.lines.join('\n'));

  const current = lines.slice(start, end);
  const at = cursorLine - start;
  const cursorLineText = current[at]!;
  const column = Math.min(Math.max(0, input.cursor.character), cursorLineText.length);
  parts.push({ special: fileSep }, { text: `current/${input.path}:${range(start, end)}\n${[...current.slice(0, at), cursorLineText.slice(0, column)].join('\n')}` });
  parts.push({ special: cursorMarker }, { text: `${[cursorLineText.slice(column), ...current.slice(at + 1)].join('\n')}\n` });

  const prefillLines = input.changesAboveCursor === false ? at : 0;
  parts.push({ special: fileSep }, { text: `updated/${input.path}:${range(start, end)}\n${current.slice(0, prefillLines).map((line) => `${line}\n`).join('')}` });
  return { parts: mergeText(parts), block: { start, end, lines: current, prefillLines } };
}

/** The prompt as one string, markers written out: what the golden tests compare and the log shows. */
export function promptText(parts: readonly PromptPart[]): string {
  return parts.map((part) => ('special' in part ? part.special : part.text)).join('');
}

/** Adjacent text parts joined (the tokenizer then sees each stretch of text whole, as it would in the reference). */
function mergeText(parts: readonly PromptPart[]): PromptPart[] {
  const merged: PromptPart[] = [];
  for (const part of parts) {
    const last = merged.at(-1);
    if ('text' in part && last && 'text' in last) merged[merged.length - 1] = { text: last.text + part.text };
    else if (!('text' in part) || part.text !== '') merged.push(part);
  }
  return merged;
}
