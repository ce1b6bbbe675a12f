// The context stage's parts: import resolution, similar snippets, recent edits, file classification, the workspace
// index on a real folder, and the builder's budget, ordering and per-line reuse.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ContextOptions } from '../../server/src/context/contextBuilder';
import { resolveImport } from '../../server/src/context/importResolution';
import { RecentEdits } from '../../server/src/context/recentEdits';
import { findSimilarSnippets, jaccard } from '../../server/src/context/similarSnippets';
import { snippetTokens, type TokenBudget } from '../../server/src/context/tokenBudget';
import { classifyFile } from '../../server/src/context/workspaceIndex';
import { splitAtCursor } from '../support/cursor';
import { TestWorkspace } from '../support/testWorkspace';

/** A budget whose tokens are characters: the tests below size their fixtures in characters. */
const perChar = (tokens: number): TokenBudget => ({ tokens, count: (text) => text.length });

test('imports resolve to workspace files the way each language names them', () => {
  const files = new Set([
    '/w/src/geometry.ts',
    '/w/src/util/index.ts',
    '/w/pkg/shapes.py',
    '/w/pkg/sub/__init__.py',
    '/w/include/vec.h',
    '/w/packages/core/src/index.ts',
    '/w/packages/core/src/rules.ts',
    '/w/crate/src/lib.rs',
    '/w/crate/src/de.rs',
    '/w/crate/src/value/mod.rs',
    '/w/crate/src/value/number.rs',
    '/w/src/main/java/com/acme/Money.java',
  ]);
  const folders = new Set(['/w/cmp/internal/diff']);
  const workspace = { roots: ['/w'], exists: (p: string) => files.has(p) || folders.has(p), packageFolder: (name: string) => (name === '@acme/core' ? '/w/packages/core' : undefined) };
  const resolve = (from: string, source: string, grammar: Parameters<typeof resolveImport>[2]) => resolveImport(from, source, grammar, workspace);
  assert.equal(resolve('/w/src/a.ts', './geometry.js', 'typescript'), '/w/src/geometry.ts');
  assert.equal(resolve('/w/src/a.ts', './util', 'typescript'), '/w/src/util/index.ts');
  assert.equal(resolve('/w/src/a.ts', 'react', 'typescript'), undefined);
  // A monorepo's packages import each other by name.
  assert.equal(resolve('/w/src/a.ts', '@acme/core', 'typescript'), '/w/packages/core/src/index.ts');
  assert.equal(resolve('/w/src/a.ts', '@acme/core/rules', 'typescript'), '/w/packages/core/src/rules.ts');
  assert.equal(resolve('/w/pkg/main.py', '.shapes', 'python'), '/w/pkg/shapes.py');
  assert.equal(resolve('/w/main.py', 'pkg.sub', 'python'), '/w/pkg/sub/__init__.py');
  assert.equal(resolve('/w/src/a.c', 'vec.h', 'c'), '/w/include/vec.h');
  // Go: the package's folder, found by the import path's tail (its head is go.mod's module path).
  assert.equal(resolve('/w/cmp/compare.go', 'github.com/google/go-cmp/cmp/internal/diff', 'go'), '/w/cmp/internal/diff');
  assert.equal(resolve('/w/src/a.go', 'example.com/x', 'go'), undefined);
  assert.equal(resolve('/w/src/a.go', 'fmt', 'go'), undefined);
  // Rust: crate::, self::, super:: paths to the module's file; other crates are not the workspace's.
  assert.equal(resolve('/w/crate/src/ser.rs', 'crate::de::Deserializer', 'rust'), '/w/crate/src/de.rs');
  assert.equal(resolve('/w/crate/src/ser.rs', 'crate::value::number::Number', 'rust'), '/w/crate/src/value/number.rs');
  assert.equal(resolve('/w/crate/src/ser.rs', 'crate::value::Value', 'rust'), '/w/crate/src/value/mod.rs');
  assert.equal(resolve('/w/crate/src/value/mod.rs', 'self::number::Number', 'rust'), '/w/crate/src/value/number.rs');
  assert.equal(resolve('/w/crate/src/value/number.rs', 'super::Value', 'rust'), '/w/crate/src/value/mod.rs');
  assert.equal(resolve('/w/crate/src/de.rs', 'super::{Error, Value}', 'rust'), '/w/crate/src/lib.rs');
  assert.equal(resolve('/w/crate/src/de.rs', 'serde::de::Visitor', 'rust'), undefined);
  // Java: the class's file below a source root; a static import names a member of it.
  assert.equal(resolve('/w/src/main/java/com/acme/App.java', 'com.acme.Money', 'java'), '/w/src/main/java/com/acme/Money.java');
  assert.equal(resolve('/w/src/main/java/com/acme/App.java', 'com.acme.Money.ZERO', 'java'), '/w/src/main/java/com/acme/Money.java');
  assert.equal(resolve('/w/src/main/java/com/acme/App.java', 'java.util.List', 'java'), undefined);
});

test('similar snippets: the window sharing the most identifiers, one per file, above a floor', () => {
  assert.equal(jaccard(new Set(['a', 'b']), new Set(['b', 'c'])), 1 / 3);
  const other = ['x', 'y', 'const total = prices.reduce((sum, price) => sum + price, 0);', 'return total;', ...Array(20).fill('noise()')].join('\n');
  const found = findSimilarSnippets('const total = prices.reduce(', [
    { path: 'cart.ts', text: other },
    { path: 'unrelated.ts', text: 'alpha beta gamma' },
  ]);
  assert.equal(found.length, 1);
  assert.equal(found[0]!.path, 'cart.ts');
  assert.ok(found[0]!.text.includes('prices.reduce'));
});

test('recent edits: newest first, nearby edits merged into one region', () => {
  const edits = new RecentEdits();
  const base = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n');
  const edit = (text: string, line: number, insert: string) => text.replace(`line ${line}\n`, `line ${line}${insert}\n`);
  const a = edit(base, 5, ' changed');
  edits.record('file:///a.ts', base, a);
  const b = edit(a, 6, ' again');
  edits.record('file:///a.ts', a, b);
  edits.record('file:///b.ts', base, edit(base, 30, '!'));
  assert.deepEqual(edits.recent(), [
    { uri: 'file:///b.ts', startLine: 30, endLine: 30 },
    { uri: 'file:///a.ts', startLine: 5, endLine: 6 },
  ]);
});

test('files the index skips: oversized, binary, minified', () => {
  assert.equal(classifyFile(10, Buffer.from('const a = 1;\n'), 100), undefined);
  assert.equal(classifyFile(1000, Buffer.from('x'), 100), 'oversized');
  assert.equal(classifyFile(10, Buffer.from([0x63, 0x00, 0x64]), 100), 'binary');
  assert.equal(classifyFile(5000, Buffer.from(`var a=${'1,'.repeat(2500)}2;`), 10_000), 'minified');
});

describe('workspace index and context builder on a real folder', () => {
  const workspace = new TestWorkspace('hearth-index-');
  const { root, index } = workspace;
  const write = (path: string, text: string) => workspace.write(path, text);

  before(async () => {
    write('src/geometry.ts', 'export interface Point { x: number; y: number }\n\nexport function distance(a: Point, b: Point): number {\n  return Math.hypot(a.x - b.x, a.y - b.y);\n}\n');
    write('src/money.py', 'def cents(amount):\n    return round(amount * 100)\n');
    write('.gitignore', 'generated/\n');
    write('generated/big.ts', 'export function hidden() {}\n');
    write('node_modules/lib/index.js', 'function fromDependency() {}\n');
    write('dist/app.min.js', `function minified(){${'a();'.repeat(1000)}}`);
    write('assets/logo.ts', '\0\0binary');
    const stats = await index.build([root], { '**/node_modules': true });
    assert.deepEqual(stats.skipped, { binary: 1, minified: 1, oversized: 0, ignored: 2, limit: 0 });
    assert.equal(stats.files, 2);
  });

  after(() => workspace.remove());

  test('definitions are found by name; ignored, minified and binary files are not indexed', () => {
    assert.deepEqual(index.lookup('distance').map((d) => [d.kind, d.path, d.startLine]), [['function', join(root, 'src/geometry.ts'), 2]]);
    assert.equal(index.lookup('hidden').length, 0);
    assert.equal(index.lookup('fromDependency').length, 0);
    assert.equal(index.lookup('minified').length, 0);
    assert.equal(index.lookup('cents').length, 1);
  });

  test('a changed file is indexed again, a deleted one forgotten', async () => {
    write('src/money.py', 'def dollars(cents):\n    return cents / 100\n');
    await index.updateFile(join(root, 'src/money.py'));
    assert.equal(index.lookup('cents').length, 0);
    assert.equal(index.lookup('dollars').length, 1);
    index.removeFile(join(root, 'src/money.py'));
    assert.equal(index.lookup('dollars').length, 0);
  });

  test('the builder puts the imported definition first, stays within its budget and reuses its answer on the same line', async () => {
    const builder = workspace.builder({ openDocuments: () => [{ uri: 'file:///other.ts', path: join(root, 'src/other.ts'), text: 'const d = distance(start, end);\nconsole.log(d);\n' }] });
    const { text, offset } = splitAtCursor("import { distance } from './geometry';\n\nexport function far(a, b) {\n  return distance(║\n}\n");
    const path = join(root, 'src/far.ts');
    const options: ContextOptions = { budget: perChar(400), deadline: performance.now() + 1000, sources: { definitions: true, recentEdits: true, similar: true } };
    const snippets = await builder.build({ uri: 'file:///far.ts', path, languageId: 'typescript', text, offset }, options);
    assert.equal(snippets[0]!.source, 'definitions');
    assert.equal(snippets[0]!.path, 'src/geometry.ts');
    assert.ok(snippets[0]!.text.startsWith('export function distance(a: Point, b: Point): number {'));
    assert.ok(snippets.reduce((sum, s) => sum + snippetTokens(options.budget, s), 0) <= 400);
    const again = await builder.build({ uri: 'file:///far.ts', path, languageId: 'typescript', text: text.replace('distance(\n', 'distance(a\n'), offset: offset + 1 }, options);
    assert.equal(again, snippets, 'typing on the same line keeps the same context (and the KV cache of the prompt header)');
    const none = await builder.build({ uri: 'file:///far.ts', path, languageId: 'typescript', text, offset }, { ...options, budget: perChar(401), sources: { definitions: false, recentEdits: false, similar: false } });
    assert.deepEqual(none, []);
    const late = await builder.build({ uri: 'file:///far.ts', path, languageId: 'typescript', text, offset }, { ...options, budget: perChar(402), deadline: performance.now() - 1 });
    assert.deepEqual(late, [], 'a request past its deadline does not wait for the definitions');
    const next = await builder.build({ uri: 'file:///far.ts', path, languageId: 'typescript', text, offset }, { ...options, budget: perChar(402) });
    assert.equal(next[0]?.path, 'src/geometry.ts', 'the build went on in the background: the next request on the line has the definition');
    const reused = await builder.build({ uri: 'file:///far.ts', path, languageId: 'typescript', text, offset }, { ...options, budget: perChar(402), deadline: performance.now() - 1 });
    assert.equal(reused, next, 'and later requests on the line reuse it, even past their deadline');
  });
});

describe('context for what the cursor is about to name', () => {
  const workspace = new TestWorkspace('hearth-receiver-');
  const { root, index } = workspace;
  const write = (path: string, text: string) => workspace.write(path, text);
  const builder = () => workspace.builder();
  const contextAt = async (path: string, source: string, budgetChars = 3072, allSources = false) => {
    const { text, offset } = splitAtCursor(source);
    const languageId = ({ py: 'python', go: 'go', rs: 'rust' } as Record<string, string>)[path.split('.').at(-1)!] ?? 'typescript';
    const sources = { definitions: true, recentEdits: allSources, similar: allSources };
    const snippets = await builder().build({ uri: `file://${join(root, path)}`, path: join(root, path), languageId, text, offset }, { budget: perChar(budgetChars), deadline: performance.now() + 5000, sources });
    return snippets.map((s) => s.text).join('\n');
  };

  before(async () => {
    // Twelve event classes: more than a handful of whole definitions would hold.
    write('pkg/events.py', Array.from({ length: 12 }, (_, i) => `class Event${i}(object):\n    def __init__(self, mark):\n        self.mark = mark\n`).join('\n'));
    // Longer than a definition given whole: only its outline shows its methods.
    write('pkg/reader.py', 'class Reader(object):\n    """Reads."""\n\n    def peek(self, index=0):\n        return self.buffer[index]\n\n    def prefix(self, length=1):\n        return self.buffer[:length]\n\n    def forward(self, length=1):\n        self.pointer += length\n');
    write('src/geometry.ts', 'export function distance(a: number, b: number): number {\n  return Math.abs(a - b);\n}\n');
    write('src/shapes.ts', 'export class Circle {\n  radius = 1;\n  area(): number {\n    return Math.PI * this.radius ** 2;\n  }\n  grow(by: number): void {\n    this.radius += by;\n  }\n}\n');
    // A base class two levels up (Python's email.mime: MIMEText → MIMENonMultipart → MIMEBase → Message).
    write('pkg/base.py', 'class Message(object):\n    def set_payload(self, payload):\n        self.payload = payload\n\n    def get_payload(self):\n        return self.payload\n');
    write('pkg/part.py', 'from .base import Message\n\nclass Part(Message):\n    def boundary(self):\n        return None\n');
    // A Go module: the package `diff` imported by path; a type whose methods are in another file of its package.
    write('gomod/go.mod', 'module example.com/tool\n');
    write('gomod/internal/diff/diff.go', 'package diff\n\ntype EditScript []EditType\n\nfunc Difference(nx, ny int) EditScript {\n\treturn nil\n}\n\nfunc helper() {}\n');
    write('gomod/report/text.go', 'package report\n\ntype textWrap struct {\n\tPrefix string\n}\n\ntype textList []textWrap\n');
    write('gomod/report/format.go', 'package report\n\nfunc (s *textWrap) formatCompact(d int) string {\n\treturn s.Prefix\n}\n');
    // A Rust crate: `use crate::…` and `self.` inside an impl whose type is defined in another file.
    write('crate/src/lib.rs', 'pub mod map;\npub mod de;\n');
    write('crate/src/map.rs', 'pub struct Map {\n    len: usize,\n}\n');
    write('crate/src/extra.rs', 'use crate::map::Map;\n\nimpl Map {\n    pub fn entry_count(&self) -> usize {\n        self.len\n    }\n}\n');
    await index.build([root], {});
  });

  after(() => workspace.remove());

  test('self. reaches the bases of the bases, defined in other files', async () => {
    const context = await contextAt('pkg/text.py', 'from .part import Part\n\nclass Text(Part):\n    def __init__(self, body):\n        self.║\n');
    assert.match(context, /def boundary\(self\):/, context);
    assert.match(context, /def set_payload\(self, payload\):/, context);
  });

  test('Go: a package imported by path gives its exported names at `pkg.`', async () => {
    const context = await contextAt('gomod/cmd/main.go', 'package main\n\nimport (\n\t"fmt"\n\t"example.com/tool/internal/diff"\n)\n\nfunc main() {\n\tfmt.Println(diff.║)\n}\n');
    assert.match(context, /func Difference\(nx, ny int\) EditScript \{/, context);
    assert.match(context, /type EditScript \[\]EditType/);
    assert.doesNotMatch(context, /func helper/, 'what another package cannot reach is left out');
  });

  test('Go: a method receiver’s type gives its methods from every file of the package, and the package’s types are there', async () => {
    const context = await contextAt('gomod/report/compare.go', 'package report\n\nfunc (s *textWrap) render() string {\n\treturn s.║\n}\n');
    assert.match(context, /func \(s \*textWrap\) formatCompact\(d int\) string \{/, context);
    const plain = await contextAt('gomod/report/compare.go', 'package report\n\nfunc render() {\n\tvar x ║\n}\n');
    assert.match(plain, /type textList \[\]textWrap/, plain);
  });

  test('Rust: `use crate::…` resolves to the module file, and self. in an impl reaches the type’s fields and other impls', async () => {
    const used = await contextAt('crate/src/de.rs', 'use crate::map::Map;\n\nfn build() -> ║\n');
    assert.match(used, /pub struct Map \{/, used);
    const member = await contextAt('crate/src/de.rs', 'use crate::map::Map;\n\nimpl Map {\n    fn size(&self) -> usize {\n        self.║\n    }\n}\n');
    assert.match(member, /pub fn entry_count\(&self\) -> usize \{/, member);
  });

  test('identifiers nearest the cursor come first: a name on the next line before one thirty lines up', async () => {
    // The budget holds one definition: the one used just below the cursor wins over one used far above.
    write('src/far.ts', 'export function farAway(a: number): number {\n  return a;\n}\n');
    write('src/near.ts', 'export function nearBy(a: number): number {\n  return a;\n}\n');
    await index.build([root], {});
    const context = await contextAt('src/use.ts', `farAway(1);\n${'let filler = 0;\n'.repeat(25)}const x = ║\nnearBy(x);\n`, 80);
    assert.match(context, /nearBy/, context);
    assert.doesNotMatch(context, /farAway/);
  });

  test('a star import gives the module’s outline: every definition’s first line, not the first few', async () => {
    const context = await contextAt('pkg/parser.py', 'from .events import *\n\ndef parse(mark):\n    return ║\n');
    assert.match(context, /class Event0\(object\):/);
    assert.match(context, /class Event11\(object\):/, context);
  });

  test('when the other sources have nothing to give, the definitions have the whole budget (not their 60 % share)', async () => {
    // The outline of twelve classes is about 330 characters: more than 60 % of 450, less than all of it.
    const context = await contextAt('pkg/parser.py', 'from .events import *\n\ndef parse(mark):\n    return ║\n', 450, true);
    assert.match(context, /class Event11\(object\):/, context);
  });

  test('self. in a class: the members of its base class defined elsewhere', async () => {
    const context = await contextAt('pkg/scanner.py', 'from .reader import Reader\n\nclass Scanner(Reader):\n    def scan(self):\n        self.║\n');
    assert.match(context, /def forward\(self, length=1\):/, context);
    assert.match(context, /def peek\(self, index=0\):/);
  });

  test('a variable constructed from an imported class: that class’s members', async () => {
    const context = await contextAt('src/main.ts', "import { Circle } from './shapes';\n\nconst c = new Circle();\nc.║\n");
    assert.match(context, /grow\(by: number\): void \{/, context);
  });

  test('typing the member after the dot keeps the context (and the prompt’s KV cache) it got at the dot', async () => {
    const shared = builder();
    const at = async (source: string) => {
      const { text, offset } = splitAtCursor(source);
      const path = join(root, 'src', 'main.ts');
      return shared.build({ uri: 'file:///main.ts', path, languageId: 'typescript', text, offset }, { budget: perChar(3072), deadline: performance.now() + 5000, sources: { definitions: true, recentEdits: false, similar: false } });
    };
    const before = await at("import { Circle } from './shapes';\n\nconst c = new Circle();\nc║\n");
    const dot = await at("import { Circle } from './shapes';\n\nconst c = new Circle();\nc.║\n");
    const typed = await at("import { Circle } from './shapes';\n\nconst c = new Circle();\nc.gr║\n");
    assert.ok(!before.some((s) => s.text.includes('grow(by: number)')), 'before the dot: the class by its first line only');
    assert.ok(dot.some((s) => s.text.includes('grow(by: number): void {')), dot.map((s) => s.text).join('\n'));
    assert.equal(typed, dot, 'the same context object while the member is typed');
  });

  test('a re-export resolves like an import', async () => {
    const context = await contextAt('src/index.ts', "export { distance } from './geometry';\n\nexport const far = distance(║\n");
    assert.match(context, /export function distance\(a: number, b: number\): number/, context);
  });
});

test('a snippet far longer than the budget is priced over budget without being tokenized (a 10 MB line took 17 s to count)', () => {
  let counted = 0;
  const budget: TokenBudget = { tokens: 1024, count: (text) => ((counted += text.length), Math.ceil(text.length / 3)) };
  assert.equal(snippetTokens(budget, { path: 'big.js', text: 'x'.repeat(10 * 1024 * 1024) }), 1025);
  assert.equal(counted, 0);
  assert.equal(snippetTokens(budget, { path: 'a.ts', text: 'const a = 1;' }), Math.ceil('a.ts\nconst a = 1;\n'.length / 3) + 1);
});

test('similar snippets skip windows of huge lines (minified code, a 10 MB line)', () => {
  const huge = `const total = prices.reduce((sum, price) => sum + price, 0); ${'x'.repeat(10_000)}`;
  assert.deepEqual(findSimilarSnippets('const total = prices.reduce(', [{ path: 'min.js', text: huge }]), []);
});
