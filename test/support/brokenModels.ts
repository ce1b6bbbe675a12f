// Damaged copies of the tiny model, made by renaming one metadata key in place (same length, so the rest of the
// file stays valid): exactly what a bad conversion or a truncated download produces.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { targetModelPath } from './paths';

const scratch = mkdtempSync(join(tmpdir(), 'hearth-models-'));

export function modelWithRenamedKey(name: string, from: string, to: string): string {
  if (from.length !== to.length) throw new Error('keys must have the same length');
  const bytes = readFileSync(targetModelPath);
  const at = bytes.indexOf(Buffer.from(from, 'latin1'));
  if (at < 0) throw new Error(`${from} not found in the model`);
  Buffer.from(to, 'latin1').copy(bytes, at);
  const path = join(scratch, name);
  writeFileSync(path, bytes);
  return path;
}

export function truncatedModel(name: string, keepBytes: number): string {
  const path = join(scratch, name);
  writeFileSync(path, readFileSync(targetModelPath).subarray(0, keepBytes));
  return path;
}
