// File extension → VS Code language id, for drivers that open files without VS Code.
const byExtension: Record<string, string> = {
  ts: 'typescript', mts: 'typescript', cts: 'typescript', tsx: 'typescriptreact',
  js: 'javascript', mjs: 'javascript', cjs: 'javascript', jsx: 'javascriptreact',
  py: 'python', go: 'go', rs: 'rust', java: 'java', c: 'c', h: 'c',
  cc: 'cpp', cpp: 'cpp', cxx: 'cpp', hpp: 'cpp', hh: 'cpp', cs: 'csharp',
  rb: 'ruby', php: 'php', kt: 'kotlin', swift: 'swift', scala: 'scala', lua: 'lua',
  sh: 'shellscript', md: 'markdown', json: 'json', yaml: 'yaml', yml: 'yaml', txt: 'plaintext',
};

export function languageIdForPath(path: string): string {
  const extension = path.split('.').pop()?.toLowerCase() ?? '';
  return byExtension[extension] ?? 'plaintext';
}
