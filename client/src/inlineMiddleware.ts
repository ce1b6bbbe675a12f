// The inline-completion middleware: what the client does between VS Code asking for ghost text and showing it. The
// server's answer races its streamed first line; a first line that wins is shown at once and the request goes on
// under its own token (VS Code's governs it until then, a keystroke after), and once the whole answer is in VS Code
// is asked again where the user still is. An answer that crossed a keystroke is never shown. VS Code reaches it
// only through the few callbacks below, so every path has a unit test (test/unit/inlineMiddleware.test.ts).
import { changeEndsRest, showFirstLine, stillWanted } from './inlineDecisions';

/** Inline completions VS Code received from the server, after the language client converted them. */
export interface ProvidedCompletions {
  uri: string;
  texts: string[];
  /**
   * 'server': the server's answer; 'firstLine': its streamed first line, shown early; 'nextEdit': a next edit that
   * inserts at the cursor, shown as ghost text; 'disabled': not asked.
   */
  source: 'server' | 'firstLine' | 'nextEdit' | 'disabled';
}

export interface Cancellation {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): { dispose(): void };
}

export interface CancellationSource<Token extends Cancellation = Cancellation> {
  readonly token: Token;
  cancel(): void;
  dispose(): void;
}

/** The document as the middleware reads it: `version` is live (VS Code's document object changes in place). */
export interface InlineDocument {
  readonly version: number;
  readonly languageId: string;
}

export interface InlineCallbacks<Document extends InlineDocument, Position, Result, Token extends Cancellation = Cancellation> {
  uriOf(document: Document): string;
  /** From the settings VS Code already holds: no round trip, and no race with the server's copy after a toggle. */
  languageEnabled(languageId: string): boolean;
  newCancellation(): CancellationSource<Token>;
  /** The streamed first line for this request, if one arrives before the token is cancelled. */
  firstLine(uri: string, version: number, position: Position, token: Token): { line: Promise<string | undefined>; dispose(): void };
  /** Calls `listener` on every edit: whether it was in `document`, and how many content changes it made. */
  onEdit(document: Document, listener: (sameDocument: boolean, contentChanges: number) => void): { dispose(): void };
  /** The whole answer is in after its first line was shown: ask VS Code to show it where the user still is. */
  retriggerIfUnchanged(document: Document, position: Position, version: number, token: Token): void;
  /** A next edit for exactly this document version and cursor that inserts at the cursor: shown instead of asking. */
  nextEditAt?(uri: string, version: number, position: Position): string | undefined;
  /** The ghost text for a first line shown early. */
  firstLineResult(text: string, position: Position): Result;
  /** The texts of the server's answer. */
  textsOf(result: Result | null | undefined): string[];
  provided(event: ProvidedCompletions): void;
}

export type NextProvider<Document, Position, Context, Result, Token> = (document: Document, position: Position, context: Context, token: Token) => Result | null | undefined | PromiseLike<Result | null | undefined>;

/** The middleware's provideInlineCompletionItems over these callbacks. */
export function inlineMiddleware<Document extends InlineDocument, Position, Context, Result, Token extends Cancellation = Cancellation>(callbacks: InlineCallbacks<Document, Position, Result, Token>) {
  const empty = [] as unknown as Result;
  return async (document: Document, position: Position, context: Context, token: Token, next: NextProvider<Document, Position, Context, Result, Token>): Promise<Result | null | undefined> => {
    const uri = callbacks.uriOf(document);
    if (!callbacks.languageEnabled(document.languageId)) {
      callbacks.provided({ uri, texts: [], source: 'disabled' });
      return empty;
    }
    const version = document.version;
    const predicted = callbacks.nextEditAt?.(uri, version, position);
    if (predicted !== undefined) {
      callbacks.provided({ uri, texts: [predicted], source: 'nextEdit' });
      return callbacks.firstLineResult(predicted, position);
    }
    const moment = () => ({ cancelled: token.isCancellationRequested, versionAtRequest: version, versionNow: document.version });
    const request = callbacks.newCancellation();
    const followVsCode = token.onCancellationRequested(() => request.cancel());
    const answer = Promise.resolve(next(document, position, context, request.token));
    const streamed = callbacks.firstLine(uri, version, position, request.token);
    const first = await Promise.race([answer.then(() => undefined, () => undefined), streamed.line]);
    streamed.dispose();
    followVsCode.dispose();
    if (showFirstLine(first, moment())) {
      // Show the first line now. The rest is still wanted (the server caches it) unless the user types; once it is
      // in, ask VS Code again and the server answers the whole from its cache.
      const keystroke = callbacks.onEdit(document, (sameDocument, changes) => {
        if (changeEndsRest(sameDocument, changes)) request.cancel();
      });
      void answer
        .then(() => callbacks.retriggerIfUnchanged(document, position, version, request.token), () => undefined)
        .finally(() => {
          keystroke.dispose();
          request.dispose();
        });
      callbacks.provided({ uri, texts: [first], source: 'firstLine' });
      return callbacks.firstLineResult(first, position);
    }
    request.dispose();
    const result = await answer;
    // An answer that crossed a keystroke on the wire is for text the user no longer has: never show it.
    if (!stillWanted(moment())) return empty;
    callbacks.provided({ uri, texts: callbacks.textsOf(result), source: 'server' });
    return result;
  };
}
