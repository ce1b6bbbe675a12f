// Context source: windows of other open files that share the most identifiers with the code before the cursor.
import type { ContextSnippet, OpenDocument, SnippetSource, SourceQuery } from './contextSource';
import { promptPath } from './contextSource';
import { lastLines } from './contextText';
import { findSimilarSnippets } from './similarSnippets';

/** The code a similar snippet is compared with: as many lines before the cursor as a snippet has. */
const similarQueryLines = 10;

export function similarSource(deps: { openDocuments(): readonly OpenDocument[]; roots(): readonly string[] }): SnippetSource {
  return {
    name: 'similar',
    share: 0.2,
    snippets({ request, nearby }: SourceQuery, expired: () => boolean): ContextSnippet[] {
      const others = deps.openDocuments().filter((d) => d.uri !== request.uri);
      const candidates = others.map((d) => ({ path: promptPath(deps.roots(), d.path, d.uri), text: d.text }));
      return findSimilarSnippets(lastLines(nearby, similarQueryLines), candidates, undefined, expired).map((s) => ({ path: s.path, text: s.text, source: 'similar' as const }));
    },
  };
}
