import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressMessage } from '../../client/src/models/pullProgressText';

test('the progress notification says how far, how fast and how long', () => {
  assert.equal(progressMessage({ id: 'p', downloadedBytes: 412e6, totalBytes: 1.7e9, bytesPerSecond: 12 * 2 ** 20, secondsLeft: 98 }), '24 % of 1.7 GB — 12.0 MiB/s, 2 min left');
  assert.equal(progressMessage({ id: 'p', downloadedBytes: 1.64e9, totalBytes: 1.7e9, bytesPerSecond: 12 * 2 ** 20, secondsLeft: 4.2 }), '96 % of 1.7 GB — 12.0 MiB/s, 5 s left');
  assert.equal(progressMessage({ id: 'p', downloadedBytes: 3.2e6, totalBytes: 6.7e6, bytesPerSecond: 2 ** 20, secondsLeft: 3.5 }), '47 % of 6.7 MB — 1.0 MiB/s, 4 s left', 'a small file in MB, not "0.0 GB"');
  assert.equal(progressMessage({ id: 'p', downloadedBytes: 0, totalBytes: 530e6, bytesPerSecond: 0, secondsLeft: Infinity }), 'starting (530 MB)…', 'no "0 %, 0.0 MiB/s, 50400 min left" before the first bytes');
  assert.equal(progressMessage({ id: 'p', downloadedBytes: 0, totalBytes: 0, bytesPerSecond: 0, secondsLeft: Number.NaN, waitingForOther: true }), 'waiting for another window’s download of this file…');
});
