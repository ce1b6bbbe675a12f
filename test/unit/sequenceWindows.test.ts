import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { LlamaContextSequence } from 'node-llama-cpp';
import { Logger } from '../../server/src/logger';
import { minRestoreGain, restSaveTokens } from '../../server/src/model/windowWarmer';
import { SequenceWindows } from '../../server/src/windowCache/sequenceWindows';
import { WindowStore } from '../../server/src/windowCache/windowStore';

const log = new Logger({ error: () => undefined, warn: () => undefined, info: () => undefined, log: () => undefined });
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** A sequence as far as the keeper uses it: the tokens it holds, its state written to and read from a file. */
class FakeSequence {
  readonly calls: string[] = [];
  constructor(public contextTokens: number[]) {}
  get nextTokenIndex(): number {
    return this.contextTokens.length;
  }
  async eraseContextTokenRanges(ranges: Array<{ start: number; end: number }>): Promise<void> {
    for (const { start, end } of ranges) {
      this.contextTokens.splice(start, end - start);
      this.calls.push(`erase ${start}-${end}`);
    }
  }
  async saveStateToFile(path: string): Promise<void> {
    this.calls.push(`save ${this.contextTokens.length}`);
    await writeFile(path, JSON.stringify(this.contextTokens));
  }
}

test('a window is written without its last token: cells held past it (speculative predictions) are not saved with it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-windows-'));
  const store = new WindowStore(dir, () => 1e9, log);
  const windows = new SequenceWindows(store, 'model', 'runtime', log);
  const sequence = new FakeSequence(range(0, 300));
  await windows.save(sequence as unknown as LlamaContextSequence, 'a.ts');
  assert.deepEqual(sequence.calls, ['erase 299-300', 'save 299']);
  const stored = await store.longestPrefix('model', 'runtime', range(0, 300), 1);
  assert.equal(stored?.tokens.length, 299, 'the record names the tokens the state holds');
});

test('a window is kept again only once it holds enough that the last kept one does not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-windows-'));
  const windows = new SequenceWindows(new WindowStore(dir, () => 1e9, log), 'model', 'runtime', log);
  const states = () => readdirSync(dir).filter((name) => name.endsWith('.state')).length;
  const sequence = new FakeSequence(range(0, 300));
  await windows.save(sequence as unknown as LlamaContextSequence, 'a.ts');
  assert.equal(states(), 1, 'the first window is kept');
  sequence.contextTokens = range(0, 300 + minRestoreGain - 1); // a few lines typed since
  await windows.save(sequence as unknown as LlamaContextSequence, 'a.ts');
  assert.equal(states(), 1, 'not written again for a few keystrokes');
  sequence.contextTokens = range(0, 300 + minRestoreGain);
  await windows.save(sequence as unknown as LlamaContextSequence, 'a.ts');
  assert.equal(states(), 2, 'written again once it holds enough more');
  // At a rest (a warm-up done) a line or two more is enough.
  sequence.contextTokens = range(0, 300 + minRestoreGain + restSaveTokens - 1);
  await windows.save(sequence as unknown as LlamaContextSequence, 'a.ts', restSaveTokens);
  assert.equal(states(), 2);
  sequence.contextTokens = range(0, 300 + minRestoreGain + restSaveTokens);
  await windows.save(sequence as unknown as LlamaContextSequence, 'a.ts', restSaveTokens);
  assert.equal(states(), 3);
  // A change early in the window (a new anchor above) makes what follows it new.
  sequence.contextTokens = [...range(0, 100), ...range(1000, 1000 + minRestoreGain)];
  await windows.save(sequence as unknown as LlamaContextSequence, 'a.ts');
  assert.equal(states(), 4);
  // Another document's window is its own; a window too short to be worth loading is not kept at all.
  await windows.save(new FakeSequence(range(5000, 5200)) as unknown as LlamaContextSequence, 'b.ts');
  assert.equal(states(), 5, "b.ts's first window is kept");
  await windows.save(new FakeSequence(range(0, minRestoreGain - 1)) as unknown as LlamaContextSequence, 'c.ts');
  assert.equal(states(), 5);
});
