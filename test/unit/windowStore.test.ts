import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Logger } from '../../server/src/logger';
import { modelIdentity, WindowStore } from '../../server/src/windowCache/windowStore';

const warnings: string[] = [];
const log = new Logger({ error: () => undefined, warn: (l) => warnings.push(l), info: () => undefined, log: () => undefined });
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
/** A state "written by llama.cpp": some bytes that differ per window. */
const stateOf = (tokens: number[], bytes = 1000) => async (path: string) => writeFile(path, Buffer.alloc(bytes, tokens.length % 251));

function storeIn(dir = mkdtempSync(join(tmpdir(), 'hearth-windows-')), capBytes = 10_000) {
  return { dir, store: new WindowStore(dir, () => capBytes, log) };
}

test('the stored window sharing the longest prefix is found, for this model and runtime only', async () => {
  const { dir, store } = storeIn();
  await store.save('model-a', 'rt', range(0, 500), stateOf(range(0, 500)));
  await store.save('model-a', 'rt', [...range(0, 300), ...range(900, 1000)], stateOf(range(0, 400)));
  await store.save('model-b', 'rt', range(0, 800), stateOf(range(0, 800)));
  const wanted = [...range(0, 450), 7, 7];
  const found = await store.longestPrefix('model-a', 'rt', wanted, 100);
  assert.equal(found?.common, 450);
  assert.deepEqual(found?.tokens, range(0, 500));
  assert.equal(await store.longestPrefix('model-a', 'rt', wanted, 451), undefined, 'not when it holds too little');
  assert.equal(await store.longestPrefix('model-c', 'rt', wanted, 1), undefined, "another model's windows are never offered");
  assert.equal(await store.longestPrefix('model-a', 'other runtime', wanted, 1), undefined, "nor another runtime's");
  // A new store over the same folder (the server restarted) finds the same.
  const again = new WindowStore(dir, () => 10_000, log);
  assert.equal((await again.longestPrefix('model-a', 'rt', wanted, 100))?.common, 450);
  assert.equal(await again.verified(found!), true);
});

test('of windows sharing as long a prefix, the latest kept is found: it holds the most of what was typed since', async () => {
  const { store } = storeIn(undefined, 1e9);
  const anchor = range(0, 400);
  await store.save('m', 'rt', [...anchor, ...range(1000, 1010)], stateOf(range(0, 410)));
  await new Promise((resolve) => setTimeout(resolve, 5));
  await store.save('m', 'rt', [...anchor, ...range(1000, 1080)], stateOf(range(0, 480)));
  await new Promise((resolve) => setTimeout(resolve, 5));
  await store.save('m', 'rt', [...anchor, ...range(2000, 2003)], stateOf(range(0, 403)));
  // The file reopened: the new anchor's window shares the first 300 tokens with each.
  const found = await store.longestPrefix('m', 'rt', [...range(0, 300), 9, 9], 100);
  assert.equal(found?.common, 300);
  assert.deepEqual(found?.tokens, [...anchor, ...range(2000, 2003)]);
});

test('the same window saved twice is one entry (keyed by model, runtime and tokens)', async () => {
  const { dir, store } = storeIn();
  await store.save('m', 'rt', range(0, 10), stateOf(range(0, 10)));
  await store.save('m', 'rt', range(0, 10), () => Promise.reject(new Error('not written again')));
  assert.equal(readdirSync(dir).filter((n) => n.endsWith('.state')).length, 1);
  await store.save('m', 'rt', range(0, 11), stateOf(range(0, 11)));
  assert.equal(readdirSync(dir).filter((n) => n.endsWith('.state')).length, 2);
});

test('over the cap, the least recently used windows go first; a restored one counts as used', async () => {
  const { store } = storeIn(undefined, 2500); // room for two 1 000-byte states
  await store.save('m', 'rt', range(0, 100), stateOf(range(0, 100)));
  await new Promise((resolve) => setTimeout(resolve, 5));
  const second = [...range(0, 50), ...range(500, 650)];
  await store.save('m', 'rt', second, stateOf(range(0, 200)));
  await new Promise((resolve) => setTimeout(resolve, 5));
  const first = (await store.longestPrefix('m', 'rt', [...range(0, 100), -1], 100))!;
  assert.equal(first.common, 100);
  assert.equal(await store.verified(first), true); // used now: the 200-token window is the least recent
  await new Promise((resolve) => setTimeout(resolve, 5));
  await store.save('m', 'rt', range(1000, 1300), stateOf(range(1000, 1300)));
  assert.equal(await store.size(), 2000);
  assert.equal((await store.longestPrefix('m', 'rt', second, 1))?.common, 50, 'the 200-token window was removed');
  assert.ok(await store.longestPrefix('m', 'rt', range(1000, 1300), 300));
});

test('a cap of 0 keeps nothing', async () => {
  const { dir, store } = storeIn(undefined, 0);
  await store.save('m', 'rt', range(0, 100), stateOf(range(0, 100)));
  assert.deepEqual(readdirSync(dir), []);
});

test('a damaged state (changed bytes, cut short) or record is refused with a message, removed, and nothing is offered', async () => {
  const { dir, store: before } = storeIn();
  await before.save('m', 'rt', range(0, 100), stateOf(range(0, 100)));
  await before.save('m', 'rt', range(0, 200), stateOf(range(0, 200)));
  const stateFiles = readdirSync(dir).filter((n) => n.endsWith('.state'));
  // Damaged on disk between sessions: the restarted server's store finds it (a checksum is compared once a process).
  const store = new WindowStore(dir, () => 10_000, log);
  const found = (await store.longestPrefix('m', 'rt', range(0, 200), 1))!;
  const bytes = readFileSync(found.statePath);
  bytes[10] = bytes[10]! ^ 0xff;
  writeFileSync(found.statePath, bytes);
  warnings.length = 0;
  assert.equal(await store.verified(found), false);
  assert.match(warnings.join('\n'), /damaged: its state does not match its checksum; removed, nothing loaded/);
  assert.equal(readdirSync(dir).filter((n) => n.endsWith('.state')).length, stateFiles.length - 1);
  const next = (await store.longestPrefix('m', 'rt', range(0, 200), 1))!;
  assert.equal(next.common, 100, 'the damaged one is gone; the other is still offered');
  writeFileSync(next.statePath, readFileSync(next.statePath).subarray(0, 10));
  assert.equal(await store.verified(next), false);
  assert.match(warnings.at(-1)!, /its state is 10 bytes where 1000 were written/);
  // A record that is not JSON: refused when the folder is read, the rest still served.
  await store.save('m', 'rt', range(0, 50), stateOf(range(0, 50)));
  const record = readdirSync(dir).find((n) => n.endsWith('.json'))!;
  writeFileSync(join(dir, record), '{"format": 1, "tok');
  const fresh = new WindowStore(dir, () => 10_000, log);
  warnings.length = 0;
  assert.equal(await fresh.longestPrefix('m', 'rt', range(0, 50), 1), undefined);
  assert.match(warnings.join('\n'), /is damaged \(.*\); removed, nothing loaded from it/);
  assert.deepEqual(readdirSync(dir), []);
});

test('the latest windows are checked ahead of their use: a damaged one is reported and removed before any request', async () => {
  const { dir, store: before } = storeIn(undefined, 1e9);
  for (let i = 0; i < 3; i++) {
    await before.save('m', 'rt', range(i * 1000, i * 1000 + 100), stateOf(range(0, 100 + i)));
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const latest = (await before.longestPrefix('m', 'rt', range(2000, 2100), 1))!;
  const bytes = readFileSync(latest.statePath);
  bytes[10] = bytes[10]! ^ 0xff;
  writeFileSync(latest.statePath, bytes);
  const restarted = new WindowStore(dir, () => 1e9, log);
  warnings.length = 0;
  await restarted.checkAhead('m', 'rt', 2);
  assert.match(warnings.join('\n'), /damaged: its state does not match its checksum; removed/);
  assert.equal(await restarted.longestPrefix('m', 'rt', range(2000, 2100), 1), undefined, 'the damaged one is gone');
  const kept = (await restarted.longestPrefix('m', 'rt', range(1000, 1100), 1))!;
  assert.equal(await restarted.verified(kept), true, 'the others are offered');
  assert.equal(readdirSync(dir).filter((n) => n.endsWith('.state')).length, 2);
});

test('clear removes every kept window', async () => {
  const { dir, store } = storeIn();
  await store.save('m', 'rt', range(0, 100), stateOf(range(0, 100)));
  await store.save('m', 'rt', range(0, 200), stateOf(range(0, 200)));
  writeFileSync(join(dir, 'unrelated.txt'), 'kept');
  assert.equal(await store.clear(), 2000);
  assert.deepEqual(readdirSync(dir), ['unrelated.txt'], "only the cache's own files");
  assert.equal(await store.longestPrefix('m', 'rt', range(0, 100), 1), undefined);
});

test("a model file's identity changes when the file does", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-model-'));
  const path = join(dir, 'm.gguf');
  writeFileSync(path, Buffer.alloc(4096, 1));
  const first = await modelIdentity(path);
  assert.equal(await modelIdentity(path), first);
  writeFileSync(path, Buffer.alloc(4096, 2));
  assert.notEqual(await modelIdentity(path), first, 'same name and size, other bytes');
});
