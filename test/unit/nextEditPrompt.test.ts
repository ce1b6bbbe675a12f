// Golden prompts for the next-edit model, written out by hand from the format on Sweep's model card (see
// server/src/nextEdit/nextEditPrompt.ts): markers, section order, line ranges, the cursor marker, where the recent
// changes go. Long sections are slices of the fixture's own lines, the rest is literal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DocumentEdits } from '../../server/src/nextEdit/editHistory';
import { buildNextEditPrompt, type NextEditInput, promptText } from '../../server/src/nextEdit/nextEditPrompt';

const small = 'function add(a, b) {\n  return a + b;\n}\n\nconsole.log(add(1, 2));\n';

function edited(text: string, ...steps: string[]): DocumentEdits {
  const edits = new DocumentEdits(text);
  for (const step of steps) edits.update(step);
  return edits;
}

const prompt = (input: NextEditInput) => promptText(buildNextEditPrompt(input).parts);

test('the first edit in a file shorter than the window: the whole file before it, the blocks before and now, the cursor marker', () => {
  const now = small.replace('add(a, b)', 'add(x, b)');
  const expected =
    '<|file_sep|>src/add.js\nfunction add(a, b) {\n  return a + b;\n}\n\nconsole.log(add(1, 2));\n\n' +
    '<|file_sep|>original/src/add.js:0:6\nfunction add(a, b) {\n  return a + b;\n}\n\nconsole.log(add(1, 2));\n\n' +
    '<|file_sep|>current/src/add.js:0:6\nfunction add(x<|cursor|>, b) {\n  return a + b;\n}\n\nconsole.log(add(1, 2));\n\n' +
    '<|file_sep|>updated/src/add.js:0:6\n';
  assert.equal(prompt({ path: 'src/add.js', edits: edited(small, now), cursor: { line: 0, character: 14 } }), expected);
});

test('no edit yet: the file, and the block before and now the same', () => {
  const expected =
    '<|file_sep|>src/add.js\nfunction add(a, b) {\n  return a + b;\n}\n\nconsole.log(add(1, 2));\n\n' +
    '<|file_sep|>original/src/add.js:0:6\nfunction add(a, b) {\n  return a + b;\n}\n\nconsole.log(add(1, 2));\n\n' +
    '<|file_sep|>current/src/add.js:0:6\nfunction add(a, b) {\n  return a + b;\n}\n\n<|cursor|>console.log(add(1, 2));\n\n' +
    '<|file_sep|>updated/src/add.js:0:6\n';
  assert.equal(prompt({ path: 'src/add.js', edits: edited(small), cursor: { line: 4, character: 0 } }), expected);
});

test('a CRLF document gives the same prompt as its LF twin', () => {
  const crlf = small.replace(/\n/g, '\r\n');
  const now = crlf.replace('add(a, b)', 'add(x, b)');
  const lf = prompt({ path: 'src/add.js', edits: edited(small, small.replace('add(a, b)', 'add(x, b)')), cursor: { line: 0, character: 14 } });
  assert.equal(prompt({ path: 'src/add.js', edits: edited(crlf, now), cursor: { line: 0, character: 14 } }), lf);
  assert.doesNotMatch(lf, /\r/);
});

test('retrieval chunks go after the file section and before the recent changes and the blocks; none, no section', () => {
  const now = small.replace('add(a, b)', 'add(x, b)');
  const withChunks = prompt({ path: 'src/add.js', edits: edited(small, now), cursor: { line: 0, character: 14 }, retrieval: [{ path: 'src/math.js', text: 'export const PI = 3.14;' }, { path: 'lib/log.js', text: 'function log(x) {\r\n  print(x);\r\n}' }] });
  const expectedStart =
    '<|file_sep|>src/add.js\nfunction add(a, b) {\n  return a + b;\n}\n\nconsole.log(add(1, 2));\n\n' +
    '<|file_sep|>src/math.js\nexport const PI = 3.14;\n' +
    '<|file_sep|>lib/log.js\nfunction log(x) {\n  print(x);\n}\n' +
    '<|file_sep|>original/src/add.js:0:6\n';
  assert.ok(withChunks.startsWith(expectedStart), withChunks.slice(0, expectedStart.length + 40));
  const without = prompt({ path: 'src/add.js', edits: edited(small, now), cursor: { line: 0, character: 14 }, retrieval: [] });
  assert.equal(withChunks.replace('<|file_sep|>src/math.js\nexport const PI = 3.14;\n<|file_sep|>lib/log.js\nfunction log(x) {\n  print(x);\n}\n', ''), without);
});

test('edits above and below the cursor: the earlier one as a diff, the last one as the blocks; the file before the last', () => {
  const lines = Array.from({ length: 30 }, (_, i) => `line${i} = ${i};`);
  const text = `${lines.join('\n')}\n`;
  const above = text.replace('line3 = 3;', 'line3 = 33;');
  const both = above.replace('line25 = 25;', 'line25 = 2525;');
  const block = both.split('\n').slice(2, 23).join('\n'); // cursor on line 12: lines 2..22
  const expected =
    `<|file_sep|>a.py\n${above}\n` +
    '<|file_sep|>a.py.diff\noriginal:\nline3 = 3;\nupdated:\nline3 = 33;\n' +
    `<|file_sep|>original/a.py:2:23\n${block}\n` +
    `<|file_sep|>current/a.py:2:23\n${block.replace('line12 = 12;', 'line12<|cursor|> = 12;')}\n` +
    '<|file_sep|>updated/a.py:2:23\n';
  assert.equal(prompt({ path: 'a.py', edits: edited(text, above, both), cursor: { line: 12, character: 6 } }), expected);
  // Three edits: the first two are the recent changes, oldest first.
  const third = both.replace('line8 = 8;', 'line8 = 88;');
  assert.match(prompt({ path: 'a.py', edits: edited(text, above, both, third), cursor: { line: 12, character: 6 } }), /a\.py\.diff\noriginal:\nline3 = 3;\nupdated:\nline3 = 33;\n<\|file_sep\|>a\.py\.diff\noriginal:\nline25 = 25;\nupdated:\nline25 = 2525;\n<\|file_sep\|>original\//);
});

test('typing on in one place changes only the current block: everything before it is the same prompt', () => {
  const lines = Array.from({ length: 60 }, (_, i) => `value${i} = ${i}`);
  const text = lines.join('\n');
  const edits = new DocumentEdits(text);
  const one = text.replace('value30 = 30', 'value30 = 300');
  edits.update(one);
  const first = prompt({ path: 'v.py', edits, cursor: { line: 30, character: 13 } });
  edits.update(one.replace('value30 = 300', 'value30 = 3000'));
  const second = prompt({ path: 'v.py', edits, cursor: { line: 30, character: 14 } });
  const stable = (p: string) => p.slice(0, p.indexOf('<|file_sep|>current/'));
  assert.equal(stable(second), stable(first));
  assert.notEqual(second, first);
});

test('a long file: ~300 lines of it around the cursor; the original block is the block before the last edit', () => {
  const lines = Array.from({ length: 400 }, (_, i) => `v${i}`);
  const text = lines.join('\n');
  const now = text.replace('\nv200\n', '\nv200 + 1\n');
  const after = now.split('\n');
  const expected =
    `<|file_sep|>big.ts\n${lines.slice(50, 351).join('\n')}\n` +
    `<|file_sep|>original/big.ts:190:211\n${lines.slice(190, 211).join('\n')}\n` +
    `<|file_sep|>current/big.ts:190:211\n${after.slice(190, 200).join('\n')}\nv200 + 1<|cursor|>\n${after.slice(201, 211).join('\n')}\n` +
    '<|file_sep|>updated/big.ts:190:211\n';
  assert.equal(prompt({ path: 'big.ts', edits: edited(text, now), cursor: { line: 200, character: 8 } }), expected);
});

test('an edit that added lines: the original block maps back over them', () => {
  const lines = Array.from({ length: 40 }, (_, i) => `v${i}`);
  const text = lines.join('\n');
  const now = text.replace('\nv20\n', '\nv20\nnew1\nnew2\n'); // two lines inserted after line 20
  const built = buildNextEditPrompt({ path: 'm.ts', edits: edited(text, now), cursor: { line: 22, character: 4 } });
  const original = promptText(built.parts).split('<|file_sep|>original/')[1]!.split('<|file_sep|>')[0]!;
  // The block now is lines 12..32 (cursor on line 22, an inserted line); before the edit, lines 12..31 of the old file.
  assert.equal(original, `m.ts:12:31\n${lines.slice(12, 31).join('\n')}\n`);
  assert.deepEqual([built.block.start, built.block.end], [12, 33]);
});

test('changes_above_cursor off: the updated block starts with the lines above the cursor as they are', () => {
  const now = small.replace('return a + b;', 'return a * b;');
  const built = buildNextEditPrompt({ path: 'src/add.js', edits: edited(small, now), cursor: { line: 1, character: 15 }, changesAboveCursor: false });
  assert.ok(promptText(built.parts).endsWith('<|file_sep|>updated/src/add.js:0:6\nfunction add(a, b) {\n'));
  assert.equal(built.block.prefillLines, 1);
});

test('markers are parts of their own; text that looks like a marker stays text', () => {
  const tricky = 'const s = "<|file_sep|>";\n';
  const built = buildNextEditPrompt({ path: 'x.js', edits: edited(tricky, tricky.replace('const', 'let')), cursor: { line: 0, character: 3 } });
  const specials = built.parts.filter((part) => 'special' in part).map((part) => ('special' in part ? part.special : ''));
  assert.deepEqual(specials, ['<|file_sep|>', '<|file_sep|>', '<|file_sep|>', '<|cursor|>', '<|file_sep|>']);
  assert.ok(built.parts.some((part) => 'text' in part && part.text.includes('"<|file_sep|>"')));
});
