// Snippets of other open files that look like the code before the cursor: windows of lines ranked by the Jaccard
// similarity of their identifier sets (the measure Copilot's neighbouring-tabs context is known to use).

export interface SimilarSnippet {
  path: string;
  startLine: number;
  text: string;
  score: number;
}

export interface SimilarityOptions {
  windowLines: number;
  step: number;
  maxSnippets: number;
  minScore: number;
}

export const defaultSimilarityOptions: SimilarityOptions = { windowLines: 10, step: 5, maxSnippets: 2, minScore: 0.2 };
/** A window longer than this (minified code, a 10 MB line, a data file) is no snippet worth its tokens: skipped. */
const maxWindowChars = 4000;

export function identifiers(text: string): Set<string> {
  return new Set(text.match(/[A-Za-z_][A-Za-z0-9_]+/g) ?? []);
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let common = 0;
  for (const item of a) if (b.has(item)) common++;
  return common / (a.size + b.size - common);
}

/** The windows of `documents` most similar to `query`, best first, at most one per document. */
export function findSimilarSnippets(query: string, documents: ReadonlyArray<{ path: string; text: string }>, options = defaultSimilarityOptions, expired: () => boolean = () => false): SimilarSnippet[] {
  const wanted = identifiers(query);
  const best: SimilarSnippet[] = [];
  for (const document of documents) {
    if (expired()) break;
    const lines = document.text.split('\n');
    let top: SimilarSnippet | undefined;
    for (let start = 0; start < Math.max(1, lines.length - options.windowLines + options.step); start += options.step) {
      if (start % 256 === 0 && start > 0 && expired()) break; // a 100 000-line file is many windows
      const window = lines.slice(start, start + options.windowLines);
      if (window.reduce((sum, line) => sum + line.length + 1, 0) > maxWindowChars) continue;
      const text = window.join('\n');
      const score = jaccard(wanted, identifiers(text));
      if (score >= options.minScore && (!top || score > top.score)) top = { path: document.path, startLine: start, text, score };
    }
    if (top) best.push(top);
  }
  return best.sort((a, b) => b.score - a.score).slice(0, options.maxSnippets);
}
