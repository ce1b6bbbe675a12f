// Which workspace paths the index skips: VS Code's files.exclude globs (picomatch, with VS Code's reading: a glob that
// matches a folder hides everything in it, `{ when }` conditions are not supported) and .gitignore files, root and
// nested, with git's semantics as the `ignore` package implements them (the one ESLint and Prettier use): negation,
// directory-only and anchored patterns, a deeper .gitignore deciding over a shallower one. Paths are relative to the
// workspace folder, with forward slashes.
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';

export class IgnoreRules {
  private readonly excludes: Array<(path: string) => boolean> = [];
  /** Each .gitignore by its folder ('' for the workspace folder), shallowest first. */
  private readonly gitignores: Array<{ base: string; rules: Ignore }> = [];

  /** VS Code's files.exclude: glob → true (excluded) or false. */
  addFilesExclude(exclude: Record<string, unknown>): void {
    for (const [glob, on] of Object.entries(exclude)) {
      if (on !== true) continue; // `{ when: … }` conditions need sibling files: not supported, the rule is skipped
      this.excludes.push(picomatch(glob.replace(/^\.\//, ''), { dot: true }));
    }
  }

  /** The lines of a .gitignore found in `directory` ('' for the workspace folder itself). */
  addGitignore(directory: string, content: string): void {
    const base = directory.replace(/\/$/, '');
    this.gitignores.push({ base, rules: ignore().add(content) });
    this.gitignores.sort((a, b) => a.base.split('/').length - b.base.split('/').length);
  }

  /** Whether `path` (relative, forward slashes) is ignored; `isDirectory` for directory-only patterns. */
  ignores(path: string, isDirectory: boolean): boolean {
    const parts = path.split('/');
    // files.exclude hides a matching folder with all it holds.
    for (let end = 1; end <= parts.length; end++) {
      const prefix = parts.slice(0, end).join('/');
      if (this.excludes.some((matches) => matches(prefix))) return true;
    }
    let ignored = false;
    for (const { base, rules } of this.gitignores) {
      if (base !== '' && path !== base && !path.startsWith(`${base}/`)) continue;
      const relative = base === '' ? path : path.slice(base.length + 1);
      if (relative === '') continue;
      const verdict = rules.test(isDirectory ? `${relative}/` : relative);
      if (verdict.ignored) ignored = true;
      else if (verdict.unignored) ignored = false;
    }
    return ignored;
  }
}
