// The context builder's rules for a member access being typed (whose members the cursor is about to name), its
// budget per source, its per-line cache across documents, and its deadline: on a real folder, with the real
// grammars and workspace index. (contextSources.test.ts has the sources themselves; contextGolden.test.ts pins
// whole contexts on the eval projects.)
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ContextDependencies, OpenDocument } from '../../server/src/context/contextBuilder';
import { RecentEdits } from '../../server/src/context/recentEdits';
import { snippetTokens, type TokenBudget } from '../../server/src/context/tokenBudget';
import { splitAtCursor } from '../support/cursor';
import { TestWorkspace } from '../support/testWorkspace';

/** A budget whose tokens are characters. */
const perChar = (tokens: number): TokenBudget => ({ tokens, count: (text) => text.length });
const definitionsOnly = { definitions: true, recentEdits: false, similar: false };
const languageOf = (path: string) => ({ py: 'python', go: 'go', rs: 'rust', js: 'javascript' })[path.split('.').at(-1)!] ?? 'typescript';
/** A class long enough (more than six lines) that only an outline shows its methods, not the definitions source. */
const pythonClass = (name: string, bases: string, methods: string[]) => `class ${name}(${bases}):\n    """${name}."""\n\n${methods.map((m) => `    def ${m}(self):\n        return None\n`).join('\n')}`;

describe('the context builder on a real folder', () => {
  const workspace = new TestWorkspace('hearth-builder-');
  const { root, index } = workspace;
  const write = (path: string, text: string) => workspace.write(path, text);
  const builder = (overrides: Partial<ContextDependencies> = {}) => workspace.builder(overrides);
  const requestAt = (path: string, source: string, uri = `file://${join(root, path)}`) => {
    const { text, offset } = splitAtCursor(source);
    return { uri, path: join(root, path), languageId: languageOf(path), text, offset };
  };
  const contextAt = async (path: string, source: string, on = builder()) => {
    const snippets = await on.build(requestAt(path, source), { budget: perChar(4000), deadline: performance.now() + 5000, sources: definitionsOnly });
    return snippets.map((s) => s.text).join('\n');
  };
  const count = (text: string, pattern: RegExp) => text.match(new RegExp(pattern.source, 'g'))?.length ?? 0;

  before(async () => {
    // Rust: a struct, and impls of it in other files (the type named after generics and trait paths).
    write('crate/src/lib.rs', 'pub mod map;\n');
    write('crate/src/map.rs', 'pub struct Map {\n    len: usize,\n}\n\nimpl Map {\n    pub fn entry_count(&self) -> usize {\n        self.len\n    }\n}\n');
    // Two classes named alike in two folders: the one beside the document is meant.
    write('svc/a/models.py', pythonClass('Config', 'object', ['alpha_only', 'shared']));
    write('svc/b/models.py', pythonClass('Config', 'object', ['beta_only', 'shared']));
    // Modules reached by their name alone, one of each kind of file.
    write('mods/helpers.py', 'def helper_function():\n    return 1\n');
    write('mods/pkgmod/__init__.py', 'def package_function():\n    return 1\n');
    write('mods/util.ts', 'export function utilFunction(): number {\n  return 1;\n}\n');
    write('mods/lib/index.ts', 'export function libFunction(): number {\n  return 1;\n}\n');
    write('mods/legacy.js', 'function legacyFunction() {\n  return 1;\n}\n');
    write('mods/Widget.py', 'def make_widget():\n    return 1\n');
    // Python: `from package import module`.
    write('app/__init__.py', 'def package_level():\n    return 1\n');
    write('app/errors.py', 'def error_function():\n    return 1\n');
    write('app/sub/__init__.py', '');
    write('app/sub/mod.py', 'def sub_function():\n    return 1\n');
    // Bases: a chain (this., cls.), a diamond, and more bases than the context takes.
    write('zoo/root.ts', 'export class Root {\n  rootOnly(): number {\n    return 1;\n  }\n\n  other(): number {\n    return 2;\n  }\n}\n');
    write('zoo/mid.ts', "import { Root } from './root';\n\nexport class Mid extends Root {\n  midOnly(): number {\n    return 1;\n  }\n\n  more(): number {\n    return 2;\n  }\n}\n");
    write('py/base.py', `${pythonClass('Message', 'object', ['set_payload', 'get_payload'])}\n${pythonClass('Part', 'Message', ['boundary', 'parts'])}`);
    write('py/diamond.py', `${pythonClass('A', 'object', ['a_method', 'a_other'])}\n${pythonClass('B', 'A', ['b_method', 'b_other'])}\n${pythonClass('C', 'A', ['c_method', 'c_other'])}`);
    write('py/many.py', ['P1', 'P2', 'P3', 'P4'].map((name) => pythonClass(name, 'object', [`${name.toLowerCase()}_method`, `${name.toLowerCase()}_other`])).join('\n'));
    // Modules whose outline is empty, a definition whose file cannot be read, and two same-length modules.
    write('src/empty.ts', '// nothing defined here\n');
    write('src/geometry.ts', 'export function distance(a: number, b: number): number {\n  return Math.abs(a - b);\n}\n');
    write('src/gone.ts', 'export function goneFunction(): number {\n  return 1;\n}\n');
    write('src/alpha.ts', 'export function fromAlpha(): number {\n  return 1;\n}\n');
    write('src/gamma.ts', 'export function fromGamma(): number {\n  return 1;\n}\n');
    for (let i = 0; i < 5; i++) write(`slow/part${i}.ts`, `export function slowPart${i}(): number {\n  return ${i};\n}\n`);
    await index.build([root], {});
  });

  after(() => workspace.remove());

  describe('Rust: `self.` in an impl is the impl’s type', () => {
    test('after generics and a trait path (`impl<\'a> fmt::Display for Map`)', async () => {
      const context = await contextAt('crate/src/show.rs', "use std::fmt;\n\nimpl<'a> fmt::Display for Map {\n    fn fmt(&self) -> String {\n        self.║\n    }\n}\n");
      assert.match(context, /pub fn entry_count\(&self\) -> usize \{/, context);
    });

    test('after a trait with type arguments (`impl Extend<(String, Value)> for Map`)', async () => {
      const context = await contextAt('crate/src/extend.rs', 'impl Extend<(String, Value)> for Map {\n    fn extend(&mut self) {\n        self.║\n    }\n}\n');
      assert.match(context, /pub fn entry_count/, context);
    });

    test('an `impl Trait` return type inside the impl is not an impl line', async () => {
      const context = await contextAt('crate/src/iter.rs', 'impl Map {\n    fn keys(&self) -> impl Iterator<Item = u8> {\n        self.║\n    }\n}\n');
      assert.match(context, /pub fn entry_count/, context);
    });

    test('`self.` outside any impl (a trait’s default method) has no type, and no error', async () => {
      const context = await contextAt('crate/src/shape.rs', 'trait Shape {\n    fn area(&self) -> f64 {\n        self.║\n    }\n}\n');
      assert.doesNotMatch(context, /entry_count/);
    });
  });

  test('of two classes named alike, the one in the document’s folder', async () => {
    const b = await contextAt('svc/b/app.py', 'from .models import Config\n\ncfg = Config()\ncfg.║\n');
    assert.match(b, /def beta_only\(self\):/, b);
    assert.doesNotMatch(b, /alpha_only/);
    const a = await contextAt('svc/a/app.py', 'from .models import Config\n\ncfg = Config()\ncfg.║\n');
    assert.match(a, /def alpha_only\(self\):/, a);
    assert.doesNotMatch(a, /beta_only/);
  });

  test('a class defined in the document itself is not looked up elsewhere (the model sees it in the file)', async () => {
    const context = await contextAt('svc/c/app.py', 'class Config:\n    def local_only(self):\n        return 1\n\ncfg = Config()\ncfg.║\n');
    assert.doesNotMatch(context, /alpha_only|beta_only/, context);
  });

  test('a module named by the receiver, beside the document: name.py, name/__init__.py, name.ts, name/index.ts, name.js', async () => {
    // The first on the document's first line (where the line starts at offset 0).
    assert.match(await contextAt('mods/main.py', 'helpers.║\n'), /def helper_function\(\):/);
    assert.match(await contextAt('mods/main.py', 'import os\n\npkgmod.║\n'), /def package_function\(\):/);
    assert.match(await contextAt('mods/main.ts', 'const x = 1;\nutil.║\n'), /export function utilFunction\(\): number \{/);
    assert.match(await contextAt('mods/main.ts', 'const x = 1;\nlib.║\n'), /export function libFunction\(\): number \{/);
    assert.match(await contextAt('mods/main.ts', 'const x = 1;\nlegacy.║\n'), /function legacyFunction\(\) \{/);
  });

  test('a variable of a type no class has is not taken for a module of that name', async () => {
    const context = await contextAt('mods/main.py', 'w = Widget()\nw.║\n');
    assert.doesNotMatch(context, /make_widget/, context);
  });

  test('Python `from package import module`: the module’s own file, also from a subpackage', async () => {
    const errors = await contextAt('app/main.py', 'from . import errors\n\nerrors.║\n');
    assert.match(errors, /def error_function\(\):/, errors);
    const sub = await contextAt('app/main.py', 'from .sub import mod\n\nmod.║\n');
    assert.match(sub, /def sub_function\(\):/, sub);
  });

  test('`this.` and `cls.` reach the bases of the bases', async () => {
    const self = await contextAt('zoo/leaf.ts', "import { Mid } from './mid';\n\nexport class Leaf extends Mid {\n  run(): number {\n    return this.║\n  }\n}\n");
    assert.match(self, /rootOnly\(\): number \{/, self);
    const cls = await contextAt('py/text.py', 'from .base import Part\n\nclass Text(Part):\n    @classmethod\n    def make(cls):\n        return cls.║\n');
    assert.match(cls, /def set_payload\(self\):/, cls);
  });

  test('a diamond of bases lists the shared base once', async () => {
    const context = await contextAt('py/d.py', 'from .diamond import B, C\n\nclass D(B, C):\n    def go(self):\n        self.║\n');
    assert.match(context, /def b_method/, context);
    assert.match(context, /def c_method/, context);
    assert.equal(count(context, /def a_method/), 1, context);
  });

  test('at most three classes’ members for one receiver', async () => {
    const context = await contextAt('py/big.py', 'from .many import P1, P2, P3, P4\n\nclass Big(P1, P2, P3, P4):\n    def go(self):\n        self.║\n');
    assert.match(context, /def p3_method/, context);
    assert.doesNotMatch(context, /def p4_method/, context);
  });

  test('a receiver whose module defines nothing, and a definition whose file cannot be read, cost the rest nothing', async () => {
    const reader = builder({ readText: async (path) => (path.endsWith('gone.ts') ? undefined : readFile(path, 'utf8')) });
    const source = "import * as empty from './empty';\nimport { goneFunction } from './gone';\nimport { distance } from './geometry';\n\nconst d = distance(1, goneFunction());\nempty.║\n";
    const context = await contextAt('src/main.ts', source, reader);
    assert.match(context, /export function distance\(a: number, b: number\): number \{/, context);
    assert.doesNotMatch(context, /goneFunction\(\): number/);
  });

  test('a changed import header on the same line is a new context, even with the line in the same place', async () => {
    const shared = builder();
    const alpha = await contextAt('src/main.ts', "import * as m from './alpha';\nm.║\n", shared);
    assert.match(alpha, /fromAlpha/, alpha);
    const gamma = await contextAt('src/main.ts', "import * as m from './gamma';\nm.║\n", shared);
    assert.match(gamma, /fromGamma/, gamma);
    assert.doesNotMatch(gamma, /fromAlpha/);
  });

  test('an identifier at the very end of a document without a final newline is looked up', async () => {
    const context = await contextAt('src/end.ts', "import { distance } from './geometry';\nconst f = 1;\nconst g = ║distance");
    assert.match(context, /export function distance/, context);
    const unimported = await contextAt('src/end.ts', 'const g = 1;\n║distance');
    assert.match(unimported, /export function distance/, unimported);
  });

  test('recent edits: at most three, the document’s own left out, and alone they have the whole budget to the last token', async () => {
    const edits = new RecentEdits();
    const documents: OpenDocument[] = [];
    for (let i = 0; i < 5; i++) {
      const path = join(root, 'edited', `file${i}.ts`);
      const text = Array.from({ length: 12 }, (_, line) => `export const v${i}_${line} = ${line};`).join('\n');
      documents.push({ uri: `file://${path}`, path, text });
      edits.record(`file://${path}`, text.replace(`v${i}_5 = 5`, `v${i}_5 = 0`), text);
    }
    const here = documents[4]!;
    const request = { uri: here.uri, path: here.path, languageId: 'typescript', text: `${here.text}\n`, offset: here.text.length + 1 };
    const recentOnly = { definitions: false, recentEdits: true, similar: false };
    const make = () => builder({ openDocuments: () => documents, recentEdits: edits });
    const all = await make().build(request, { budget: perChar(100_000), deadline: performance.now() + 5000, sources: recentOnly });
    assert.deepEqual(
      all.map((s) => s.path),
      ['edited/file3.ts', 'edited/file2.ts', 'edited/file1.ts'],
      'the newest three edits of other files',
    );
    // The budget that holds exactly these three (each priced with its path) holds them all, from this source alone.
    const exact = all.reduce((sum, s) => sum + snippetTokens(perChar(100_000), s), 0);
    const fitted = await make().build(request, { budget: perChar(exact), deadline: performance.now() + 5000, sources: recentOnly });
    assert.equal(fitted.length, 3, `a budget of ${exact} holds all three`);
    const short = await make().build(request, { budget: perChar(exact - 1), deadline: performance.now() + 5000, sources: recentOnly });
    assert.equal(short.length, 2, 'one token less holds one fewer');
  });

  test('an untitled document’s snippets are named by the untitled name', () => {
    assert.equal(builder().relativePath(undefined, 'untitled:Untitled-1'), 'Untitled-1');
    assert.equal(builder().relativePath(join(root, 'src', 'a.ts'), 'file:///ignored'), join('src', 'a.ts'));
  });

  test('a language without a grammar gets context from the identifiers near the cursor alone', async () => {
    const snippets = await builder().build({ uri: 'file:///notes.txt', path: join(root, 'notes.txt'), languageId: 'plaintext', text: 'use distance here', offset: 4 }, { budget: perChar(4000), deadline: performance.now() + 5000, sources: definitionsOnly });
    assert.match(snippets.map((s) => s.text).join('\n'), /export function distance/);
  });

  describe('time and memory', () => {
    /** Reads slowly (the file system of a busy machine) and counts the reads. */
    const slowReader = (ms: number) => {
      const reads: string[] = [];
      return {
        reads,
        readText: async (path: string) => {
          reads.push(path);
          await new Promise((resolve) => setTimeout(resolve, ms));
          return readFile(path, 'utf8');
        },
      };
    };
    const slowSource = `${Array.from({ length: 5 }, (_, i) => `slowPart${i}();`).join('\n')}\n║\n`;
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    test('a build past its deadline goes on in the background for about a second, then stops', async () => {
      // Five files at 400 ms each: two seconds of reading, more than the background second allows.
      const slow = slowReader(400);
      const shared = builder({ readText: slow.readText });
      const request = requestAt('slow/use.ts', slowSource);
      const first = await shared.build(request, { budget: perChar(4000), deadline: performance.now() + 20, sources: definitionsOnly });
      assert.equal(first.length, 0, 'nothing read by the deadline');
      await sleep(3000);
      assert.ok(slow.reads.length < 5, `the background build stopped (${slow.reads.length} of 5 files read)`);
    });

    test('a build for another line of the same document stops the first at its next step', async () => {
      const slow = slowReader(150);
      const shared = builder({ readText: slow.readText });
      await shared.build(requestAt('slow/use.ts', slowSource), { budget: perChar(4000), deadline: performance.now() + 10, sources: definitionsOnly });
      // The cursor moves to the first line: a new context for the document, needing no file.
      await shared.build(requestAt('slow/use.ts', `║${slowSource.replace('║', '')}`), { budget: perChar(4000), deadline: performance.now() + 10, sources: { definitions: false, recentEdits: false, similar: false } });
      await sleep(1500);
      assert.ok(slow.reads.length <= 2, `the first build stopped (${slow.reads.length} of 5 files read)`);
    });

    test('the last contexts of 16 documents are kept; a 17th drops the least recently used', async () => {
      const counting = slowReader(0);
      const shared = builder({ readText: counting.readText });
      const source = "import { distance } from './geometry';\nconst d = distance(║);\n";
      const build = (n: number) => shared.build(requestAt('src/use.ts', source, `file:///doc${n}.ts`), { budget: perChar(4000), deadline: performance.now() + 5000, sources: definitionsOnly });
      for (let n = 1; n <= 16; n++) await build(n);
      const reads = counting.reads.length;
      await build(1);
      assert.equal(counting.reads.length, reads, 'the first document’s context is still kept');
      await build(17); // drops document 2, now the least recently used
      const after17 = counting.reads.length;
      await build(2);
      assert.ok(counting.reads.length > after17, 'document 2’s context was built again');
    });
  });
});
