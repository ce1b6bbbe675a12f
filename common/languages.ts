// VS Code language ids and file extensions → the tree-sitter grammar that parses them (shared: the client watches
// these files for the server's workspace index). Languages not listed get plain-text context.

export type GrammarName = 'typescript' | 'tsx' | 'javascript' | 'python' | 'go' | 'rust' | 'java' | 'c' | 'cpp';

const grammarByLanguageId: Readonly<Record<string, GrammarName>> = {
  typescript: 'typescript',
  typescriptreact: 'tsx',
  javascript: 'javascript',
  javascriptreact: 'javascript',
  python: 'python',
  go: 'go',
  rust: 'rust',
  java: 'java',
  c: 'c',
  cpp: 'cpp',
};

/** File extensions → grammar, for workspace files no editor has opened. */
const grammarByExtension: Readonly<Record<string, GrammarName>> = {
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.tsx': 'tsx',
  '.js': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.jsx': 'javascript',
  '.py': 'python',
  '.go': 'go',
  '.rs': 'rust',
  '.java': 'java',
  '.c': 'c',
  '.h': 'c',
  '.cc': 'cpp',
  '.cpp': 'cpp',
  '.cxx': 'cpp',
  '.hpp': 'cpp',
  '.hh': 'cpp',
  '.hxx': 'cpp',
};

/** Extensions of the files the workspace index reads, without the dot. */
export const indexedExtensions: readonly string[] = Object.keys(grammarByExtension).map((ext) => ext.slice(1));

export const grammarNames: readonly GrammarName[] = ['typescript', 'tsx', 'javascript', 'python', 'go', 'rust', 'java', 'c', 'cpp'];

export function grammarForLanguage(languageId: string): GrammarName | undefined {
  return grammarByLanguageId[languageId];
}

export function grammarForPath(path: string): GrammarName | undefined {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? undefined : grammarByExtension[path.slice(dot).toLowerCase()];
}
