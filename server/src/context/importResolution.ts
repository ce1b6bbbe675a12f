// Import sources → the workspace files they name, where the language makes that a matter of paths (relative imports
// in TS/JS and Python, quoted includes in C/C++). Other languages resolve by symbol name through the index alone.
import { dirname, join, normalize } from 'node:path';
import type { GrammarName } from '../../../common/languages';

/** Candidate paths for an import, most likely first; `exists` says which files the workspace has. */
export function resolveImport(fromPath: string, source: string, grammar: GrammarName, roots: readonly string[], exists: (path: string) => boolean): string | undefined {
  const candidates = candidatePaths(fromPath, source, grammar, roots);
  return candidates.find(exists);
}

function candidatePaths(fromPath: string, source: string, grammar: GrammarName, roots: readonly string[]): string[] {
  const here = dirname(fromPath);
  switch (grammar) {
    case 'typescript':
    case 'tsx':
    case 'javascript': {
      if (!source.startsWith('.')) return [];
      const base = normalize(join(here, source));
      const stem = base.replace(/\.(m|c)?js$/, ''); // TypeScript's ESM imports name the emitted .js file
      return ['', '.ts', '.tsx', '.d.ts', '.js', '.jsx', '.mjs', '.cjs', '/index.ts', '/index.tsx', '/index.js'].flatMap((ext) => (ext === '' ? [base] : [stem + ext]));
    }
    case 'python': {
      const dots = source.match(/^\.*/)![0].length;
      const modulePath = source.slice(dots).split('.').filter(Boolean).join('/');
      const bases = dots > 0 ? [join(here, ...Array(dots - 1).fill('..'))] : [here, ...roots];
      return bases.flatMap((base) => [join(base, `${modulePath}.py`), join(base, modulePath, '__init__.py')]);
    }
    case 'c':
    case 'cpp':
      return [normalize(join(here, source)), ...roots.map((root) => join(root, source)), ...roots.map((root) => join(root, 'include', source))];
    default:
      return [];
  }
}
