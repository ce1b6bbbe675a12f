// Damaged copies of the tiny model, made by renaming one metadata key in place (same length, so the rest of the
// file stays valid): exactly what a bad conversion or a truncated download produces.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { targetModelPath } from './paths';

const scratch = mkdtempSync(join(tmpdir(), 'hearth-models-'));

export function modelWithRenamedKey(name: string, from: string, to: string): string {
  return modelWithRenamed(name, [[from, to]]);
}

/** Several same-length renames (keys or token texts), each of the first occurrence. */
export function modelWithRenamed(name: string, renames: ReadonlyArray<readonly [string, string]>): string {
  const bytes = readFileSync(targetModelPath);
  for (const [from, to] of renames) {
    if (from.length !== to.length) throw new Error('renames must keep the length');
    const at = bytes.indexOf(Buffer.from(from, 'latin1'));
    if (at < 0) throw new Error(`${from} not found in the model`);
    Buffer.from(to, 'latin1').copy(bytes, at);
  }
  const path = join(scratch, name);
  writeFileSync(path, bytes);
  return path;
}

export function truncatedModel(name: string, keepBytes: number): string {
  const path = join(scratch, name);
  writeFileSync(path, readFileSync(targetModelPath).subarray(0, keepBytes));
  return path;
}

/** Bytes of each GGUF scalar type, by type id (8 string and 9 array are variable). */
const scalarBytes: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

/**
 * A copy of the tiny model with one more string metadata key (say a `tokenizer.chat_template`): the header is
 * rewritten with the key added after the others, the tensor infos as they were, the data re-aligned (its offsets are
 * relative to the data section, so they stay valid).
 */
export function modelWithStringKey(name: string, key: string, value: string): string {
  const bytes = readFileSync(targetModelPath);
  let at = 8; // magic, version
  const tensorCount = Number(bytes.readBigUInt64LE(at));
  const kvCount = Number(bytes.readBigUInt64LE(at + 8));
  at += 16;
  const skipString = () => {
    at += 8 + Number(bytes.readBigUInt64LE(at));
  };
  const skipValue = (type: number): void => {
    if (type === 8) return skipString();
    if (type === 9) {
      const itemType = bytes.readUInt32LE(at);
      const count = Number(bytes.readBigUInt64LE(at + 4));
      at += 12;
      for (let i = 0; i < count; i++) skipValue(itemType);
      return;
    }
    const size = scalarBytes[type];
    if (size === undefined) throw new Error(`unknown GGUF value type ${type}`);
    at += size;
  };
  for (let i = 0; i < kvCount; i++) {
    skipString();
    const type = bytes.readUInt32LE(at);
    at += 4;
    skipValue(type);
  }
  const kvEnd = at;
  for (let i = 0; i < tensorCount; i++) {
    skipString();
    const dims = bytes.readUInt32LE(at);
    at += 4 + 8 * dims + 4 + 8;
  }
  const infosEnd = at;
  const alignment = 32;
  const dataStart = Math.ceil(infosEnd / alignment) * alignment;
  const string = (text: string) => {
    const utf8 = Buffer.from(text, 'utf8');
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(utf8.length));
    return Buffer.concat([length, utf8]);
  };
  const type = Buffer.alloc(4);
  type.writeUInt32LE(8);
  const counts = Buffer.alloc(16);
  counts.writeBigUInt64LE(BigInt(tensorCount));
  counts.writeBigUInt64LE(BigInt(kvCount + 1), 8);
  const head = Buffer.concat([bytes.subarray(0, 8), counts, bytes.subarray(24, kvEnd), string(key), type, string(value), bytes.subarray(kvEnd, infosEnd)]);
  const padding = Buffer.alloc(Math.ceil(head.length / alignment) * alignment - head.length);
  const path = join(scratch, name);
  writeFileSync(path, Buffer.concat([head, padding, bytes.subarray(dataStart)]));
  return path;
}

/** A ChatML template, the one Qwen2.5-Coder-Instruct's GGUF carries in spirit (system, user, assistant turns). */
export const chatMlTemplate =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
