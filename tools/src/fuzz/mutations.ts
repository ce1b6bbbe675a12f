// Mutations of a GGUF file, aimed at the parts a loader trusts: the header's counts, the metadata's lengths, types and
// counts, the tensor table's dimensions, types and offsets, and the file's length. Each case is made from a seed and
// an index alone, so any case can be made again (`npm run fuzz -- --seed S --only I`) and kept as a regression fixture.
import type { GgufLayout } from './ggufLayout';

/** mulberry32: a small seeded generator; the same (seed, index) gives the same case on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Mutant {
  /** What was done, for the report and for a fixture's name. */
  description: string;
  kind: MutationKind;
  buffer: Buffer;
}

export const mutationKinds = [
  'randomBytes',
  'absurdCount',
  'absurdStringLength',
  'wrongValueType',
  'absurdArrayCount',
  'tensorOffset',
  'tensorDims',
  'tensorType',
  'truncateAtBoundary',
  'duplicateKey',
  'zeroRange',
] as const;
export type MutationKind = (typeof mutationKinds)[number];

/** Values that break size arithmetic: zero, one past, the signed and unsigned limits, and past the file's end. */
function absurdU64(random: () => number, size: number): bigint {
  const choices = [0n, 1n, 0xffffffffn, 0x100000000n, 0x7fffffffffffffffn, 0xffffffffffffffffn, BigInt(size), BigInt(size) * 2n, 0x8000000000000000n, BigInt(Math.floor(random() * 2 ** 48))];
  return choices[Math.floor(random() * choices.length)]!;
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** Case `index` of the run seeded `seed`. */
export function makeMutant(original: Buffer, layout: GgufLayout, seed: number, index: number): Mutant {
  const random = seededRandom((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const kind = mutationKinds[index % mutationKinds.length]!;
  const buffer = Buffer.from(original);
  const headerAndTable = layout.infosEnd;
  switch (kind) {
    case 'randomBytes': {
      // A few bytes anywhere before the tensor data: magic, version, counts, keys, values, tensor infos.
      const count = 1 + Math.floor(random() * 8);
      const at: number[] = [];
      for (let i = 0; i < count; i++) {
        const offset = Math.floor(random() * headerAndTable);
        buffer[offset] = Math.floor(random() * 256);
        at.push(offset);
      }
      return { kind, buffer, description: `random bytes at ${at.join(', ')}` };
    }
    case 'absurdCount': {
      const field = random() < 0.5 ? 'tensor' : 'metadata';
      const value = absurdU64(random, layout.size);
      buffer.writeBigUInt64LE(value, field === 'tensor' ? layout.tensorCount : layout.kvCount);
      return { kind, buffer, description: `${field} count ${value}` };
    }
    case 'absurdStringLength': {
      // A key's length, a string value's length, or a tensor name's length.
      const targets = [...layout.kv.map((e) => ({ at: e.keyLength, what: `key of ${e.key}` })), ...layout.kv.filter((e) => e.stringLength !== undefined).map((e) => ({ at: e.stringLength!, what: `string value of ${e.key}` })), ...layout.tensors.map((t) => ({ at: t.nameLength, what: `name of tensor ${t.name}` }))];
      const target = pick(random, targets);
      const value = absurdU64(random, layout.size);
      buffer.writeBigUInt64LE(value, target.at);
      return { kind, buffer, description: `length ${value} for the ${target.what}` };
    }
    case 'wrongValueType': {
      const entry = pick(random, layout.kv);
      const type = pick(random, [0, 4, 6, 7, 8, 9, 10, 12, 13, 255, 0xffffffff].filter((t) => t !== entry.valueType));
      buffer.writeUInt32LE(type, entry.type);
      return { kind, buffer, description: `type ${type} for ${entry.key} (was ${entry.valueType})` };
    }
    case 'absurdArrayCount': {
      const arrays = layout.kv.filter((e) => e.arrayCount !== undefined);
      const entry = pick(random, arrays);
      const value = absurdU64(random, layout.size);
      buffer.writeBigUInt64LE(value, entry.arrayCount!);
      return { kind, buffer, description: `array count ${value} for ${entry.key}` };
    }
    case 'tensorOffset': {
      const tensor = pick(random, layout.tensors);
      const value = pick(random, [absurdU64(random, layout.size), BigInt(layout.size - layout.dataStart), BigInt(layout.size - layout.dataStart - 1), 3n, 0n]);
      buffer.writeBigUInt64LE(value, tensor.offset);
      return { kind, buffer, description: `data offset ${value} for tensor ${tensor.name}` };
    }
    case 'tensorDims': {
      const tensor = pick(random, layout.tensors);
      if (random() < 0.3) {
        const count = pick(random, [0, 3, 4, 5, 64, 0xffffffff]);
        buffer.writeUInt32LE(count, tensor.dimCount);
        return { kind, buffer, description: `${count} dimensions for tensor ${tensor.name}` };
      }
      const dim = pick(random, tensor.dims);
      const value = pick(random, [0n, 1n, 7n, 0x100000000n, 0x7fffffffffffffffn, 0xffffffffffffffffn, BigInt(Math.floor(random() * 1e6))]);
      buffer.writeBigUInt64LE(value, dim);
      return { kind, buffer, description: `dimension ${tensor.dims.indexOf(dim)} = ${value} for tensor ${tensor.name}` };
    }
    case 'tensorType': {
      const tensor = pick(random, layout.tensors);
      const type = pick(random, [0, 1, 2, 3, 12, 30, 39, 40, 1000, 0xffffffff]);
      buffer.writeUInt32LE(type, tensor.type);
      return { kind, buffer, description: `ggml type ${type} for tensor ${tensor.name}` };
    }
    case 'truncateAtBoundary': {
      // Every section's start and end: header, each metadata entry, each tensor info, the data, a byte either side.
      const boundaries = [4, 8, 16, 24, ...layout.kv.flatMap((e) => [e.start, e.type, e.value, e.end]), ...layout.tensors.flatMap((t) => [t.start, t.end]), layout.infosEnd, layout.dataStart, layout.dataStart + Math.floor((layout.size - layout.dataStart) / 2), layout.size - 1];
      const length = Math.min(layout.size - 1, Math.max(0, pick(random, boundaries) + pick(random, [-1, 0, 0, 1])));
      return { kind, buffer: buffer.subarray(0, length), description: `truncated to ${length} of ${layout.size} bytes` };
    }
    case 'duplicateKey': {
      // The same key twice (another value for it), the padding before the data redone so the data stays aligned.
      const entry = pick(random, layout.kv);
      const copy = original.subarray(entry.start, entry.end);
      const infos = Buffer.concat([original.subarray(0, entry.end), copy, original.subarray(entry.end, layout.infosEnd)]);
      const padding = (layout.alignment - (infos.length % layout.alignment)) % layout.alignment;
      const result = Buffer.concat([infos, Buffer.alloc(padding), original.subarray(layout.dataStart)]);
      result.writeBigUInt64LE(BigInt(layout.kv.length + 1), layout.kvCount);
      return { kind, buffer: result, description: `${entry.key} twice` };
    }
    case 'zeroRange': {
      const start = Math.floor(random() * headerAndTable);
      const length = 1 + Math.floor(random() * 64);
      buffer.fill(0, start, Math.min(headerAndTable, start + length));
      return { kind, buffer, description: `${length} bytes zeroed at ${start}` };
    }
  }
}
