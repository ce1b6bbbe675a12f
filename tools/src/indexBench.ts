// npm run bench:index [-- --files N]: the workspace index on a generated tree of N source files (default 50 000;
// TypeScript, Python, Go, Rust, Java, C), with ignored folders, a minified bundle and a binary among them. Measures
// the time to index, memory, the event loop's longest stall while indexing (what a keystroke would wait), the cost of
// re-indexing one changed file, a lookup, the context stage's build time on it (the server's budget and 25 ms
// deadline, at 200 cursor positions), and a restart from the kept index. Prints the figures and writes them to
// docs/BENCHMARKS.md.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { workspaceContext, contextSources } from '../../server/src/context/contextBuilder';
import { RecentEdits } from '../../server/src/context/recentEdits';
import { approximateTokenCount } from '../../server/src/context/tokenBudget';
import { DocumentTrees } from '../../server/src/syntax/documentTrees';
import { parseArgs } from 'node:util';
import { WorkspaceIndex } from '../../server/src/context/workspaceIndex';
import { GrammarRegistry } from '../../server/src/syntax/grammarRegistry';
import { writeReportSection } from './reportFile';

const repoRoot = join(__dirname, '..', '..');
const { values } = parseArgs({ options: { files: { type: 'string', default: '50000' } } });
const fileCount = Number(values.files);
const treeRoot = join(repoRoot, '.cache', `index-bench-${fileCount}`);

const templates: Array<[string, (i: number) => string]> = [
  ['ts', (i) => `import { helper${i % 97} } from './helpers';\n\nexport interface Record${i} {\n  id: number;\n  name: string;\n}\n\nexport function load${i}(id: number): Record${i} {\n  return { id, name: helper${i % 97}(String(id)) };\n}\n\nexport class Store${i} {\n  private items: Record${i}[] = [];\n  add(item: Record${i}): void {\n    this.items.push(item);\n  }\n}\n`],
  ['py', (i) => `from .helpers import helper_${i % 97}\n\nLIMIT_${i} = ${i}\n\nclass Store${i}:\n    def __init__(self):\n        self.items = []\n\n    def add(self, item):\n        self.items.append(helper_${i % 97}(item))\n\ndef load_${i}(key):\n    return Store${i}()\n`],
  ['go', (i) => `package store\n\nimport "fmt"\n\ntype Record${i} struct {\n\tID   int\n\tName string\n}\n\nfunc Load${i}(id int) Record${i} {\n\treturn Record${i}{ID: id, Name: fmt.Sprint(id)}\n}\n`],
  ['rs', (i) => `use std::collections::HashMap;\n\npub struct Record${i} {\n    id: u32,\n}\n\npub fn load_${i}(id: u32) -> Record${i} {\n    Record${i} { id }\n}\n`],
  ['java', (i) => `package store;\n\nimport java.util.List;\n\npublic class Record${i} {\n    private int id;\n    public int id() { return id; }\n}\n`],
  ['c', (i) => `#include <stdio.h>\n\ntypedef struct record${i} { int id; } record${i}_t;\n\nint load_${i}(int id) {\n    return id + ${i};\n}\n`],
];

function generateTree(): void {
  if (existsSync(join(treeRoot, '.complete'))) return;
  rmSync(treeRoot, { recursive: true, force: true });
  for (let i = 0; i < fileCount; i++) {
    const [ext, body] = templates[i % templates.length]!;
    const dir = join(treeRoot, `pkg${Math.floor(i / 1000)}`, `mod${Math.floor(i / 50) % 20}`);
    if (i % 50 === 0) mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `file${i}.${ext}`), body(i));
  }
  // What the index must skip: dependencies, ignored build output, a minified bundle, a binary.
  mkdirSync(join(treeRoot, 'node_modules', 'dep'), { recursive: true });
  for (let i = 0; i < 500; i++) writeFileSync(join(treeRoot, 'node_modules', 'dep', `d${i}.js`), `function dep${i}() {}\n`);
  mkdirSync(join(treeRoot, 'build'), { recursive: true });
  for (let i = 0; i < 500; i++) writeFileSync(join(treeRoot, 'build', `b${i}.js`), `function built${i}() {}\n`);
  writeFileSync(join(treeRoot, '.gitignore'), 'build/\n');
  writeFileSync(join(treeRoot, 'bundle.min.js'), `function minified(){${'a();'.repeat(5000)}}`);
  writeFileSync(join(treeRoot, 'data.ts'), Buffer.from([0, 1, 2, 3, 0, 0]));
  writeFileSync(join(treeRoot, '.complete'), '');
}

async function main(): Promise<void> {
  const generationStart = performance.now();
  generateTree();
  const generationSeconds = (performance.now() - generationStart) / 1000;
  const grammars = new GrammarRegistry(join(repoRoot, 'grammars'));
  const index = new WorkspaceIndex(grammars);
  const cacheDir = mkdtempSync(join(tmpdir(), 'hearth-index-cache-'));
  index.keepIn(join(cacheDir, 'workspace-index.json'));
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage().rss;
  // The event loop's longest stall while indexing: how long a keystroke's request could have waited.
  let longestStall = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    longestStall = Math.max(longestStall, now - last - 5);
    last = now;
  }, 5);
  const stats = await index.build([treeRoot], { '**/node_modules': true });
  clearInterval(timer);
  global.gc?.();
  const memory = process.memoryUsage();
  const changed = join(treeRoot, 'pkg0', 'mod0', 'file0.ts');
  const updates: number[] = [];
  for (let i = 0; i < 20; i++) {
    writeFileSync(changed, `${templates[0]![1](0)}\nexport function added${i}() {}\n`);
    const t = performance.now();
    await index.updateFile(changed);
    updates.push(performance.now() - t);
  }
  updates.sort((a, b) => a - b);
  const lookupStart = performance.now();
  for (let i = 0; i < 10_000; i++) index.lookup(`load${i % fileCount}`);
  const lookupUs = ((performance.now() - lookupStart) * 1000) / 10_000;

  // The context stage on this workspace, as the server runs it: a TypeScript file open, the cursor at the start of a
  // line in its body, the server's budget (a quarter of a 4 096-token context) and deadline (25 ms).
  const builder = workspaceContext({
    grammars,
    trees: new DocumentTrees(),
    index,
    roots: () => [treeRoot],
    openDocuments: () => [],
    recentEdits: new RecentEdits(),
    readText: async (path) => readFileSync(path, 'utf8'),
  });
  const sources = Object.fromEntries(contextSources.map((source) => [source, true])) as Record<(typeof contextSources)[number], boolean>;
  const contextMs: number[] = [];
  for (let i = 0; i < 200; i++) {
    const n = ((i * 6 * 7919) % fileCount) - (((i * 6 * 7919) % fileCount) % 6); // a TypeScript file (template 0)
    const path = join(treeRoot, `pkg${Math.floor(n / 1000)}`, `mod${Math.floor(n / 50) % 20}`, `file${n}.ts`);
    const text = readFileSync(path, 'utf8');
    const offset = text.indexOf('  return {');
    const t = performance.now();
    await builder.build({ uri: pathToFileURL(path).href, path, languageId: 'typescript', text, offset }, { budget: { tokens: 1024, count: approximateTokenCount }, deadline: t + 25, sources });
    contextMs.push(performance.now() - t);
  }
  contextMs.sort((a, b) => a - b);

  // A restart: a new index from the kept one, checked against the disk.
  await index.flush();
  const restarted = new WorkspaceIndex(grammars);
  restarted.keepIn(join(cacheDir, 'workspace-index.json'));
  const restart = await restarted.build([treeRoot], { '**/node_modules': true });
  rmSync(cacheDir, { recursive: true, force: true });
  const round = (value: number, digits = 1) => Number(value.toFixed(digits));
  const result = {
    files: fileCount,
    indexedFiles: stats.files,
    definitions: stats.definitions,
    skipped: stats.skipped,
    indexSeconds: round(stats.ms / 1000),
    filesPerSecond: round(stats.files / (stats.ms / 1000), 0),
    heapMiB: round((memory.heapUsed - heapBefore) / 2 ** 20),
    rssGrowthMiB: round((memory.rss - rssBefore) / 2 ** 20),
    longestEventLoopStallMs: round(longestStall),
    updateOneFileMsP50: round(updates[10]!, 2),
    updateOneFileMsMax: round(updates.at(-1)!, 2),
    lookupMicroseconds: round(lookupUs, 2),
    contextMsP50: round(contextMs[100]!, 2),
    contextMsP95: round(contextMs[190]!, 2),
    restartSeconds: round(restart.ms / 1000),
    restartUnchangedFiles: restart.unchanged,
    treeGenerationSeconds: round(generationSeconds),
  };
  console.log(JSON.stringify(result, null, 2));
  writeReportSection(
    'index',
    `## Workspace index (\`npm run bench:index\`)

Made by \`npm run bench:index\` (tools/src/indexBench.ts) on ${new Date().toISOString().slice(0, 10)}: a generated tree of ${result.files} source files
(TypeScript, Python, Go, Rust, Java, C; 8–19 lines each) plus 500 files under node_modules (files.exclude), 500 under a
.gitignore'd folder, a minified bundle and a binary, indexed by the server's WorkspaceIndex with tree-sitter on one thread.

| measure | value |
| --- | --- |
| files indexed | ${result.indexedFiles} |
| definitions | ${result.definitions} |
| skipped | ${Object.entries(result.skipped).map(([k, v]) => `${v} ${k}`).join(', ')} |
| time to index | ${result.indexSeconds} s (${result.filesPerSecond} files/s) |
| heap held by the index | ${result.heapMiB} MiB (process RSS grew ${result.rssGrowthMiB} MiB) |
| longest event-loop stall while indexing | ${result.longestEventLoopStallMs} ms |
| re-index one changed file | p50 ${result.updateOneFileMsP50} ms, max ${result.updateOneFileMsMax} ms |
| lookup by name | ${result.lookupMicroseconds} µs |
| context stage build (budget 1 024 tokens, counted as 3 characters each; 25 ms deadline; 200 cursors) | p50 ${result.contextMsP50} ms, p95 ${result.contextMsP95} ms |
| restart from the kept index (every file's mtime and size checked) | ${result.restartSeconds} s, ${result.restartUnchangedFiles} files unchanged |
`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
