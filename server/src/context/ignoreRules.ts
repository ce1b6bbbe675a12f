// Which workspace paths the index skips: VS Code's files.exclude globs and .gitignore files (root and nested, with
// negation, directory-only and anchored patterns). Paths are relative to the workspace folder, with forward slashes.

interface Rule {
  regex: RegExp;
  negate: boolean;
  directoryOnly: boolean;
}

/** A glob (`**`, `*`, `?`, `{a,b}`, `[abc]`) as a regular expression source matching a whole relative path. */
export function globToRegexSource(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slashAfter = glob[i + 2] === '/';
        out += slashAfter ? '(?:.*/)?' : '.*';
        i += slashAfter ? 2 : 1;
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '{') {
      const close = glob.indexOf('}', i);
      if (close < 0) out += '\\{';
      else {
        out += `(?:${glob.slice(i + 1, close).split(',').map(globToRegexSource).join('|')})`;
        i = close;
      }
    } else if (c === '[') {
      const close = glob.indexOf(']', i);
      if (close < 0) out += '\\[';
      else {
        out += `[${glob.slice(i + 1, close).replace(/^!/, '^')}]`;
        i = close;
      }
    } else out += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return out;
}

export class IgnoreRules {
  private readonly rules: Rule[] = [];

  /** VS Code's files.exclude: glob → true (excluded) or false. */
  addFilesExclude(exclude: Record<string, unknown>): void {
    for (const [glob, on] of Object.entries(exclude)) {
      if (on !== true) continue; // `{ when: … }` conditions need sibling files: not supported, the rule is skipped
      const source = globToRegexSource(glob.replace(/^\.\//, ''));
      this.rules.push({ regex: new RegExp(`^${source}(?:/.*)?$`), negate: false, directoryOnly: false });
    }
  }

  /** The lines of a .gitignore found in `directory` ('' for the workspace folder itself). */
  addGitignore(directory: string, content: string): void {
    const base = directory === '' ? '' : `${directory.replace(/\/$/, '')}/`;
    for (let line of content.split(/\r?\n/)) {
      if (line.trim() === '' || line.startsWith('#')) continue;
      line = line.replace(/(?<!\\)\s+$/, '');
      const negate = line.startsWith('!');
      if (negate) line = line.slice(1);
      const directoryOnly = line.endsWith('/');
      if (directoryOnly) line = line.slice(0, -1);
      // A pattern with a slash (other than at its end) is relative to the .gitignore's folder; one without matches at any depth.
      const anchored = line.includes('/');
      const pattern = line.replace(/^\//, '');
      const source = `${escapeRegex(base)}${anchored ? '' : '(?:.*/)?'}${globToRegexSource(pattern)}`;
      this.rules.push({ regex: new RegExp(`^${source}(?:/.*)?$`), negate, directoryOnly });
    }
  }

  /** Whether `path` (relative, forward slashes) is ignored; `isDirectory` for directory-only patterns. */
  ignores(path: string, isDirectory: boolean): boolean {
    let ignored = false;
    for (const rule of this.rules) {
      if (rule.directoryOnly && !isDirectory && !rule.regex.test(parentPaths(path))) continue;
      if (rule.regex.test(path)) ignored = !rule.negate;
    }
    return ignored;
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A file matches a directory-only rule through one of its folders: test the path without its file name. */
function parentPaths(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '\0' : path.slice(0, slash);
}
