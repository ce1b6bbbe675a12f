import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IgnoreRules } from '../../server/src/context/ignoreRules';

test('files.exclude globs exclude what VS Code hides', () => {
  const rules = new IgnoreRules();
  rules.addFilesExclude({ '**/.git': true, '**/node_modules': true, '**/*.min.js': true, 'build/{out,tmp}': true, '**/keep': false });
  assert.equal(rules.ignores('.git', true), true);
  assert.equal(rules.ignores('a/node_modules/x/index.js', false), true);
  assert.equal(rules.ignores('src/vendor/lib.min.js', false), true);
  assert.equal(rules.ignores('build/out/a.js', false), true);
  assert.equal(rules.ignores('build/src/a.js', false), false);
  assert.equal(rules.ignores('src/keep/a.ts', false), false);
  assert.equal(rules.ignores('src/index.ts', false), false);
});

test('.gitignore: unanchored, anchored, directory-only, nested and negated patterns', () => {
  const rules = new IgnoreRules();
  rules.addGitignore('', '# comment\n*.log\n/dist\nout/\n!important.log\n');
  rules.addGitignore('pkg', 'generated/\n/local.ts\n');
  assert.equal(rules.ignores('a/b/debug.log', false), true);
  assert.equal(rules.ignores('a/important.log', false), false, 'negation re-includes');
  assert.equal(rules.ignores('dist', true), true);
  assert.equal(rules.ignores('src/dist', true), false, 'a leading slash anchors to the .gitignore folder');
  assert.equal(rules.ignores('src/out', true), true);
  assert.equal(rules.ignores('src/out', false), false, 'directory-only pattern, a file of that name');
  assert.equal(rules.ignores('src/out/x.ts', false), true, 'files inside an ignored directory');
  assert.equal(rules.ignores('pkg/a/generated/x.ts', false), true);
  assert.equal(rules.ignores('pkg/local.ts', false), true);
  assert.equal(rules.ignores('pkg/sub/local.ts', false), false);
  assert.equal(rules.ignores('other/generated', true), false, 'nested rules apply below their folder only');
});

test('git’s finer points, as the ignore package implements them: escapes, ** in the middle, no re-include below an ignored folder', () => {
  const rules = new IgnoreRules();
  rules.addGitignore('', '\\#notes.ts\ndocs/**/*.gen.ts\nlogs/\n!logs/keep.ts\n');
  assert.equal(rules.ignores('#notes.ts', false), true, 'an escaped # is a pattern, not a comment');
  assert.equal(rules.ignores('docs/a/b/api.gen.ts', false), true);
  assert.equal(rules.ignores('docs/api.gen.ts', false), true, '** matches no folder too');
  assert.equal(rules.ignores('src/api.gen.ts', false), false);
  assert.equal(rules.ignores('logs/keep.ts', false), true, 'a file cannot be re-included when its folder is ignored');
  const exclude = new IgnoreRules();
  exclude.addFilesExclude({ '**/*.{js,map}': true, '**/.cache': true });
  assert.equal(exclude.ignores('out/a.js', false), true);
  assert.equal(exclude.ignores('out/a.js.map', false), true);
  assert.equal(exclude.ignores('pkg/.cache/x.ts', false), true, 'everything in an excluded folder');
  assert.equal(exclude.ignores('src/a.ts', false), false);
});
