// Which editor Explain and Refactor work on, and what an explanation's tab is called. The explanation's preview and
// the proposal's diff take the focus when they open; running a command again from there means the code the user was
// last in, while it is still shown. Plain functions over the editors' shapes, unit-tested without VS Code.

export const explanationScheme = 'hearth-explanation';
export const proposalScheme = 'hearth-proposal';
/** Hearth's own documents: an explanation, a refactor proposal. Never the code to work on. */
const hearthSchemes = new Set([explanationScheme, proposalScheme]);

interface EditorLike {
  document: { uri: { scheme: string; toString(): string } };
}

export function isCodeEditor(editor: EditorLike): boolean {
  return !hearthSchemes.has(editor.document.uri.scheme);
}

/**
 * The active editor when it shows code; else the code editor last active, if a visible editor still shows its
 * document (that editor: VS Code may give a new object for the same tab); else none.
 */
export function codeEditorFor<E extends EditorLike>(active: E | undefined, lastCode: E | undefined, visible: readonly E[]): E | undefined {
  if (active && isCodeEditor(active)) return active;
  if (!lastCode) return undefined;
  const uri = lastCode.document.uri.toString();
  return visible.find((editor) => editor === lastCode) ?? visible.find((editor) => editor.document.uri.toString() === uri);
}

interface LineSpan {
  isEmpty: boolean;
  active: { line: number };
  start: { line: number };
  end: { line: number };
}

/**
 * The explanation document's file name: the file and the lines explained ("Explanation of math.ts, line 11.md"),
 * with " (2)", " (3)"… where an open tab already shows that name. Closing a tab stops the explanation it shows, and a
 * Markdown preview's tab is known only by its label, so an older explanation's tab must never share the new one's.
 */
export function explanationFileName(file: string, selection: LineSpan, openLabels: readonly string[]): string {
  const [first, last] = selection.isEmpty ? [selection.active.line, selection.active.line] : [selection.start.line, selection.end.line];
  const base = `Explanation of ${file}, ${first === last ? `line ${first + 1}` : `lines ${first + 1}–${last + 1}`}`;
  for (let n = 1; ; n++) {
    const name = `${base}${n === 1 ? '' : ` (${n})`}.md`;
    if (!openLabels.some((label) => labelShows(label, name))) return name;
  }
}

/** Whether a tab's label names the document `file`: its text tab ("file") or its preview ("Preview file"). */
export function labelShows(label: string, file: string): boolean {
  return label === file || label.endsWith(` ${file}`);
}
