// The server's folders import only downwards, in the order docs/ARCHITECTURE.md writes down (its `layers` block), and
// the packages only as tools → server → common ← client. Read from the source files' import statements.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/paths';

interface Layers {
  /** Layer index of each folder of server/src, and of each file directly in it. */
  rank: Map<string, number>;
}

/** The `layers` block: one layer per line, lowest first; `name: a.ts b.ts` names files in server/src itself. */
function parseLayers(markdown: string): Layers {
  const block = /```layers\n([\s\S]*?)```/.exec(markdown)?.[1];
  if (!block) throw new Error('docs/ARCHITECTURE.md has no ```layers block');
  const rank = new Map<string, number>();
  block
    .trim()
    .split('\n')
    .forEach((line, index) => {
      const files = /^\w+:\s*(.*)$/.exec(line.trim());
      for (const name of files ? files[1]!.split(/\s+/) : [line.trim()]) rank.set(name, index);
    });
  return { rank };
}

/** The layer key of a path under server/src (with or without .ts): its first folder, or its file name in server/src itself. */
const keyOf = (pathInSrc: string) => (pathInSrc.includes('/') ? pathInSrc.split('/')[0]! : pathInSrc.replace(/(\.ts)?$/, '.ts'));

/** Every import (static, dynamic, require) of relative modules in `source`. */
function relativeImports(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/gm)) found.push(match[1]!);
  return found;
}

/** Imports of server/src that go to a folder of the same rank but another name, or to a higher one; and unknown keys. */
function upwardEdges(files: ReadonlyMap<string, readonly string[]>, layers: Layers): string[] {
  const problems: string[] = [];
  for (const [file, imports] of files) {
    const from = keyOf(file);
    const fromRank = layers.rank.get(from);
    if (fromRank === undefined) {
      problems.push(`${file}: ${from} is in no layer of docs/ARCHITECTURE.md`);
      continue;
    }
    for (const target of imports) {
      if (target.startsWith('../')) continue; // outside server/src: checked by package
      const to = keyOf(target);
      if (to === from) continue;
      const toRank = layers.rank.get(to);
      // Files of one named layer (foundation, root) may use each other; folders of one rank do not exist.
      if (toRank === undefined) problems.push(`${file} imports ${target}: ${to} is in no layer`);
      else if (toRank > fromRank || (toRank === fromRank && !(from.endsWith('.ts') && to.endsWith('.ts')))) problems.push(`${file} imports ${target}: ${from} sits below ${to}`);
    }
  }
  return problems;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** server/src's files → their imports, both as paths relative to server/src ('../x' for outside it). */
function serverImports(): Map<string, string[]> {
  const src = join(repoRoot, 'server/src');
  const result = new Map<string, string[]>();
  for (const path of sourceFiles(src)) {
    const imports = relativeImports(readFileSync(path, 'utf8')).map((spec) => relative(src, resolve(dirname(path), spec)).split(sep).join('/'));
    result.set(relative(src, path).split(sep).join('/'), imports);
  }
  return result;
}

const layers = parseLayers(readFileSync(join(repoRoot, 'docs/ARCHITECTURE.md'), 'utf8'));

test('the checker itself: an import to a higher folder, to a peer folder, or from a folder in no layer is caught', () => {
  const fake = parseLayers('```layers\nfoundation: errors.ts\nsyntax\nmodel\ncompletion\ninstruct\nchat\nroot: server.ts\n```');
  const edges = new Map([
    ['syntax/shape.ts', ['completion/stopRules']],
    ['model/host.ts', ['errors', 'syntax/trees']],
    ['chat/chat.ts', ['instruct/service']],
    ['instruct/service.ts', ['chat/chat']],
    ['errors.ts', ['model/host']],
    ['server.ts', ['chat/chat', 'errors']],
    ['newFolder/x.ts', ['errors']],
  ]);
  assert.deepEqual(upwardEdges(edges, fake), [
    'syntax/shape.ts imports completion/stopRules: syntax sits below completion',
    'instruct/service.ts imports chat/chat: instruct sits below chat',
    'errors.ts imports model/host: errors.ts sits below model',
    'newFolder/x.ts: newFolder is in no layer of docs/ARCHITECTURE.md',
  ]);
  assert.deepEqual(relativeImports("import a from './a';\nimport type { B } from '../b/c';\nconst d = await import('./d');\nimport './e';\nimport x from 'node:fs';"), ['./a', '../b/c', './d', './e']);
});

test('server/src imports only downwards, in the order docs/ARCHITECTURE.md writes down', () => {
  const files = serverImports();
  assert.ok(files.size > 50, `read the server's files (${files.size})`);
  assert.deepEqual(upwardEdges(files, layers), []);
});

test('the packages: common imports neither side, the client never the server, the server never the client or the tools', () => {
  const offending: string[] = [];
  const rules: Array<[string, string[]]> = [
    ['common', ['server/', 'client/', 'tools/']],
    ['client/src', ['server/', 'tools/']],
    ['server/src', ['client/', 'tools/']],
  ];
  for (const [dir, forbidden] of rules) {
    for (const path of sourceFiles(join(repoRoot, dir))) {
      for (const spec of relativeImports(readFileSync(path, 'utf8'))) {
        const target = relative(repoRoot, resolve(dirname(path), spec)).split(sep).join('/');
        if (forbidden.some((prefix) => target.startsWith(prefix))) offending.push(`${relative(repoRoot, path)} imports ${target}`);
      }
    }
  }
  assert.deepEqual(offending, []);
});

test('no source file of the server or the client grows past 300 lines (a file that does has more than one duty)', () => {
  const long: string[] = [];
  for (const folder of ['server/src', 'client/src']) {
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts')) {
          const text = readFileSync(path, 'utf8');
          // (Under `npm run mutate` the sources are Stryker's instrumented copies, several times as long.)
          if (text.includes('stryMutAct_9fa48')) continue;
          const lines = text.split('\n').length - 1;
          if (lines > 300) long.push(`${relative(repoRoot, path)}: ${lines} lines`);
        }
      }
    };
    walk(join(repoRoot, folder));
  }
  assert.deepEqual(long, []);
});
