// Import sources → the workspace files they name, where the language makes that a matter of paths: relative imports
// in TS/JS and Python, quoted includes in C/C++, Go packages (a folder, found by the import path's tail, the module path
// from go.mod being its head), Rust `use` paths (`crate::`, `self::`, `super::` → the module's file), Java's
// package-qualified classes (below the usual source roots). Other languages
// resolve by symbol name through the index alone.
import { basename, dirname, join, normalize, sep } from 'node:path';
import type { GrammarName } from '../../../common/languages';

/**
 * The file (or, for a Go package, the folder) an import names, the most likely of its candidates that `exists` (a
 * workspace file, or a folder with files).
 */
export interface Workspace {
  roots: readonly string[];
  /** Whether the workspace has this file (or, for Go, a folder with files). */
  exists(path: string): boolean;
  /** The folder of the workspace's own npm package of this name, or Go module of this module path. */
  packageFolder?(name: string): string | undefined;
}

export function resolveImport(fromPath: string, source: string, grammar: GrammarName, workspace: Workspace): string | undefined {
  const candidates = candidatePaths(fromPath, source, grammar, workspace);
  return candidates.find((path) => workspace.exists(path));
}

function candidatePaths(fromPath: string, source: string, grammar: GrammarName, workspace: Workspace): string[] {
  const here = dirname(fromPath);
  const roots = workspace.roots;
  switch (grammar) {
    case 'typescript':
    case 'tsx':
    case 'javascript': {
      let base: string;
      if (source.startsWith('.')) base = normalize(join(here, source));
      else {
        // `@scope/name/sub` or `name/sub`: a package of the workspace, its sources in src/ or beside package.json.
        const parts = source.split('/');
        const nameLength = source.startsWith('@') ? 2 : 1;
        const folder = workspace.packageFolder?.(parts.slice(0, nameLength).join('/'));
        if (!folder) return [];
        const rest = parts.slice(nameLength);
        return [join(folder, 'src', ...rest), join(folder, ...rest), join(folder, 'lib', ...rest)].flatMap((b) => withScriptExtensions(b));
      }
      return withScriptExtensions(base);
    }
    case 'python': {
      const dots = source.match(/^\.*/)![0].length;
      const modulePath = source.slice(dots).split('.').filter(Boolean).join('/');
      const bases = dots > 0 ? [join(here, ...Array(dots - 1).fill('..'))] : [here, ...roots];
      return bases.flatMap((base) => [join(base, `${modulePath}.py`), join(base, modulePath, '__init__.py')]);
    }
    case 'go': {
      // "example.com/mod/pkg/sub": below the folder of the workspace's module "example.com/mod" (its go.mod), else the
      // folder whose path ends with the import path's last segments, longest first.
      const segments = source.split('/');
      const inModules = segments.flatMap((_, i) => {
        const folder = i > 0 ? workspace.packageFolder?.(segments.slice(0, i).join('/')) : undefined;
        return folder ? [join(folder, ...segments.slice(i))] : [];
      });
      return [...inModules.reverse(), ...roots.flatMap((root) => segments.map((_, i) => join(root, ...segments.slice(i)))).sort((a, b) => b.length - a.length)];
    }
    case 'rust':
      return rustModuleFiles(fromPath, source);
    case 'java': {
      // `a.b.C` (or `a.b.C.member`, a static import): a/b/C.java below a source root.
      const segments = source.replace(/\.\*$/, '').split('.');
      const sourceRoots = roots.flatMap((root) => [root, join(root, 'src'), join(root, 'src', 'main', 'java'), join(root, 'src', 'test', 'java')]);
      return [segments, segments.slice(0, -1)].filter((s) => s.length > 0).flatMap((s) => sourceRoots.map((root) => `${join(root, ...s)}.java`));
    }
    case 'c':
    case 'cpp':
      return [normalize(join(here, source)), ...roots.map((root) => join(root, source)), ...roots.map((root) => join(root, 'include', source))];
    default:
      return [];
  }
}

/**
 * `use crate::a::b::Item` → src/a/b.rs, src/a/b/mod.rs, then src/a.rs… (the item may be a module or inside one). The
 * crate's root is the `src` folder above the file; `self::` is the file's own module, `super::` its parent.
 */
function rustModuleFiles(fromPath: string, source: string): string[] {
  const path = source.replace(/::\{.*$/s, '').split('::').filter(Boolean);
  const here = dirname(fromPath);
  const stem = basename(fromPath, '.rs');
  // The folder a file's submodules live in: src/a.rs → src/a, src/a/mod.rs and src/lib.rs → their own folder.
  const ownModuleDir = ['mod', 'lib', 'main'].includes(stem) ? here : join(here, stem);
  let base: string;
  if (path[0] === 'crate') {
    const parts = here.split(sep);
    const src = parts.lastIndexOf('src');
    if (src < 0) return [];
    base = parts.slice(0, src + 1).join(sep);
    path.shift();
  } else if (path[0] === 'self') {
    base = ownModuleDir;
    path.shift();
  } else if (path[0] === 'super') {
    base = dirname(ownModuleDir);
    path.shift();
    while (path[0] === 'super') {
      base = dirname(base);
      path.shift();
    }
  } else return []; // another crate's path
  const candidates: string[] = [];
  for (let length = path.length; length > 0; length--) {
    const module = join(base, ...path.slice(0, length));
    candidates.push(`${module}.rs`, join(module, 'mod.rs'));
  }
  // `use super::{A, B}`, `use super::Item`: the items are in that module's own file.
  candidates.push(`${base}.rs`, join(base, 'mod.rs'), join(base, 'lib.rs'), join(base, 'main.rs'));
  return candidates;
}

/** A TS/JS module path's candidate files. */
function withScriptExtensions(base: string): string[] {
  const stem = base.replace(/\.(m|c)?js$/, ''); // TypeScript's ESM imports name the emitted .js file
  return ['', '.ts', '.tsx', '.d.ts', '.js', '.jsx', '.mjs', '.cjs', '/index.ts', '/index.tsx', '/index.js'].flatMap((ext) => (ext === '' ? [base] : [stem + ext]));
}
