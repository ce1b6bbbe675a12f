// Context source: the regions the user edited lately in other open files, newest first.
import type { ContextSnippet, OpenDocument, SnippetSource, SourceQuery } from './contextSource';
import { promptPath } from './contextSource';
import type { RecentEdits } from './recentEdits';

/** Regions offered at most. */
const maxRegions = 3;
/** Lines shown above and below an edited region. */
const marginLines = 3;

export function recentEditsSource(deps: { recentEdits: RecentEdits; openDocuments(): readonly OpenDocument[]; roots(): readonly string[] }): SnippetSource {
  return {
    name: 'recentEdits',
    share: 0.2,
    snippets({ request }: SourceQuery): ContextSnippet[] {
      const open = new Map(deps.openDocuments().map((d) => [d.uri, d]));
      const snippets: ContextSnippet[] = [];
      for (const region of deps.recentEdits.recent()) {
        const document = open.get(region.uri);
        if (!document || region.uri === request.uri) continue; // the current file is in the prompt already
        const lines = document.text.split('\n');
        const text = lines.slice(Math.max(0, region.startLine - marginLines), region.endLine + marginLines + 1).join('\n');
        snippets.push({ path: promptPath(deps.roots(), document.path, document.uri), text, source: 'recentEdits' });
        if (snippets.length >= maxRegions) break;
      }
      return snippets;
    },
  };
}
