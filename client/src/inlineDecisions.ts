// What the inline-completion middleware decides, as plain functions over plain facts, so each decision has a unit
// test (test/unit/inlineDecisions.test.ts) rather than only the end-to-end suite.

/** The facts about a request when an answer or a streamed line arrives. */
export interface RequestMoment {
  /** VS Code cancelled the request (a keystroke, the cursor moved, the suggestion was dismissed). */
  cancelled: boolean;
  /** The document's version when the request was made, and now. */
  versionAtRequest: number;
  versionNow: number;
}

/** Whether what arrived is still for the text the user has: not cancelled, the document not changed since. */
export function stillWanted(moment: RequestMoment): boolean {
  return !moment.cancelled && moment.versionNow === moment.versionAtRequest;
}

/** Show the streamed first line at once: it came before the whole answer, and the request is still wanted. */
export function showFirstLine(firstLine: string | undefined, moment: RequestMoment): firstLine is string {
  return firstLine !== undefined && stillWanted(moment);
}

/** Facts about the editor when the whole answer is in after its first line was shown. */
export interface EditorMoment extends RequestMoment {
  /** The document is the active editor's. */
  active: boolean;
  /** The selection is empty and the cursor is where the request was made. */
  cursorAtRequest: boolean;
}

/** Ask VS Code to show the whole completion (from the server's cache) only where the user still is, unchanged. */
export function retriggerForWhole(moment: EditorMoment): boolean {
  return stillWanted(moment) && moment.active && moment.cursorAtRequest;
}

/** After a first line is shown, a change to the same document (with content) ends the request for the rest. */
export function changeEndsRest(sameDocument: boolean, contentChanges: number): boolean {
  return sameDocument && contentChanges > 0;
}
