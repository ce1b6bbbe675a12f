import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { CursorRestDebounce, cursorRestFor } from '../../client/src/cursorRest';
import type { CursorRest } from '../../common/protocol';

const editor = (scheme: string, languageId: string, isEmpty = true) => ({
  document: { uri: { scheme, toString: () => `${scheme}:/a.ts` } as never, version: 3, languageId },
  selection: { isEmpty, active: { line: 4, character: 2 } as never },
});
const all = () => true;

test('a plain cursor in a file the server completes in is reported; selections, other schemes and disabled languages are not', () => {
  assert.deepEqual(cursorRestFor(editor('file', 'typescript'), all), { uri: 'file:/a.ts', version: 3, position: { line: 4, character: 2 } });
  assert.ok(cursorRestFor(editor('untitled', 'typescript'), all));
  assert.equal(cursorRestFor(editor('file', 'typescript', false), all), undefined, 'a selection is not where one types');
  assert.equal(cursorRestFor(editor('output', 'log'), all), undefined);
  assert.equal(cursorRestFor(editor('file', 'markdown'), (id) => id !== 'markdown'), undefined);
  assert.equal(cursorRestFor(undefined, all), undefined);
});

test('only a cursor that stays put is sent, and the same spot once', async () => {
  const sent: CursorRest[] = [];
  const debounce = new CursorRestDebounce((rest) => sent.push(rest), 20);
  const at = (line: number): CursorRest => ({ uri: 'file:/a.ts', version: 1, position: { line, character: 0 } });
  debounce.moved(at(1));
  debounce.moved(at(2)); // moved on before resting
  await delay(60);
  debounce.moved(at(2));
  await delay(60);
  debounce.moved(at(3));
  debounce.moved(undefined); // a selection: nothing
  await delay(60);
  assert.deepEqual(sent.map((rest) => rest.position.line), [2]);
  debounce.dispose();
});
