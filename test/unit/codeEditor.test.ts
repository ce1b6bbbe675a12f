import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codeEditorFor, explanationFileName, isCodeEditor, labelShows } from '../../client/src/instruct/codeEditor';

const editor = (uri: string) => {
  const scheme = uri.slice(0, uri.indexOf(':'));
  return { document: { uri: { scheme, toString: () => uri } } };
};

test('Explain and Refactor work on the active editor when it shows code', () => {
  const code = editor('file:///w/a.ts');
  const other = editor('file:///w/b.ts');
  assert.equal(codeEditorFor(code, other, [code, other]), code);
  const untitled = editor('untitled:Untitled-1');
  assert.equal(codeEditorFor(untitled, code, [code]), untitled);
});

test('from an explanation or a proposal, the code editor last active, while it is shown', () => {
  const code = editor('file:///w/a.ts');
  const explanation = editor('hearth-explanation:/Explanation of a.ts.md?n=1');
  const proposal = editor('hearth-proposal:/a.ts?n=1');
  assert.ok(!isCodeEditor(explanation) && !isCodeEditor(proposal) && isCodeEditor(code));
  assert.equal(codeEditorFor(explanation, code, [code, explanation]), code);
  assert.equal(codeEditorFor(proposal, code, [code, proposal]), code);
  assert.equal(codeEditorFor(undefined, code, [code]), code, 'the preview (a webview) has the focus: no active text editor');
  const sameTab = editor('file:///w/a.ts');
  assert.equal(codeEditorFor(undefined, code, [sameTab]), sameTab, 'a new object for the same document still counts');
  assert.equal(codeEditorFor(undefined, code, [editor('file:///w/b.ts')]), undefined, 'closed since: nothing to work on');
  assert.equal(codeEditorFor(explanation, undefined, [explanation]), undefined);
});

test('an explanation is named for its file and lines, and never after a tab already open', () => {
  const at = (line: number) => ({ isEmpty: true, active: { line }, start: { line }, end: { line } });
  const lines = (start: number, end: number) => ({ isEmpty: false, active: { line: end }, start: { line: start }, end: { line: end } });
  assert.equal(explanationFileName('math.ts', at(10), []), 'Explanation of math.ts, line 11.md');
  assert.equal(explanationFileName('math.ts', lines(9, 11), []), 'Explanation of math.ts, lines 10–12.md');
  assert.equal(explanationFileName('math.ts', lines(4, 4), []), 'Explanation of math.ts, line 5.md');
  const open = ['math.ts', 'Preview Explanation of math.ts, line 11.md', 'Explanation of math.ts, line 11 (2).md'];
  assert.equal(explanationFileName('math.ts', at(10), open), 'Explanation of math.ts, line 11 (3).md');
  assert.equal(explanationFileName('math.ts', at(0), ['Preview Explanation of math.ts, line 11.md']), 'Explanation of math.ts, line 1.md', 'line 1 is not line 11');
});

test('a tab shows an explanation by its exact name, as text or as its preview', () => {
  const file = 'Explanation of math.ts, line 1.md';
  assert.ok(labelShows(file, file));
  assert.ok(labelShows(`Preview ${file}`, file));
  assert.ok(!labelShows('Preview Explanation of math.ts, line 11.md', file));
  assert.ok(!labelShows('Preview Explanation of math.ts, line 1 (2).md', file));
  assert.ok(!labelShows(`Preview X${file}`, file));
});
