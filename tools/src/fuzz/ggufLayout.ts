// Where each part of a GGUF file lies (version 2/3 layout): the header's counts, every metadata entry (key, type,
// value, an array's count), every tensor's info (name, dimensions, type, data offset) and where the tensor data
// starts. The fuzzer aims its mutations at these fields and cuts files at their boundaries.

export interface KvEntry {
  start: number;
  end: number;
  key: string;
  /** Offset of the key's u64 length. */
  keyLength: number;
  /** Offset of the value's u32 type. */
  type: number;
  /** Offset of the value (for a string: its u64 length; for an array: its u32 element type). */
  value: number;
  valueType: number;
  /** Offset of an array's u64 element count. */
  arrayCount?: number;
  /** Offset of a string value's u64 length (a string value, or an array of strings' first element). */
  stringLength?: number;
}

export interface TensorInfo {
  start: number;
  end: number;
  name: string;
  nameLength: number;
  dimCount: number;
  dims: number[];
  type: number;
  offset: number;
}

export interface GgufLayout {
  version: number;
  /** Offsets of the header's u64 tensor count and u64 metadata count. */
  tensorCount: number;
  kvCount: number;
  kv: KvEntry[];
  tensors: TensorInfo[];
  /** End of the tensor infos; the data starts at the next multiple of `alignment`. */
  infosEnd: number;
  alignment: number;
  dataStart: number;
  size: number;
}

const scalarSize: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const stringType = 8;
const arrayType = 9;

/** Parses a well-formed GGUF file's layout (the fuzzer's input is the bundled model, so this need not be defensive). */
export function parseGgufLayout(buffer: Buffer): GgufLayout {
  if (buffer.toString('latin1', 0, 4) !== 'GGUF') throw new Error('not a GGUF file');
  const version = buffer.readUInt32LE(4);
  const tensorTotal = Number(buffer.readBigUInt64LE(8));
  const kvTotal = Number(buffer.readBigUInt64LE(16));
  let at = 24;
  const readString = () => {
    const length = Number(buffer.readBigUInt64LE(at));
    const text = buffer.toString('utf8', at + 8, at + 8 + length);
    at += 8 + length;
    return text;
  };
  const skipValue = (type: number) => {
    if (type === stringType) readString();
    else if (type === arrayType) {
      const elementType = buffer.readUInt32LE(at);
      const count = Number(buffer.readBigUInt64LE(at + 4));
      at += 12;
      if (elementType === stringType) for (let i = 0; i < count; i++) readString();
      else at += count * scalarSize[elementType]!;
    } else at += scalarSize[type]!;
  };
  const kv: KvEntry[] = [];
  let alignment = 32;
  for (let i = 0; i < kvTotal; i++) {
    const start = at;
    const key = readString();
    const type = at;
    const valueType = buffer.readUInt32LE(at);
    at += 4;
    const value = at;
    const entry: KvEntry = { start, end: 0, key, keyLength: start, type, value, valueType };
    if (valueType === arrayType) {
      entry.arrayCount = value + 4;
      if (buffer.readUInt32LE(value) === stringType) entry.stringLength = value + 12;
    } else if (valueType === stringType) entry.stringLength = value;
    if (key === 'general.alignment') alignment = buffer.readUInt32LE(value);
    skipValue(valueType);
    entry.end = at;
    kv.push(entry);
  }
  const tensors: TensorInfo[] = [];
  for (let i = 0; i < tensorTotal; i++) {
    const start = at;
    const name = readString();
    const dimCount = at;
    const n = buffer.readUInt32LE(at);
    at += 4;
    const dims = Array.from({ length: n }, (_, d) => at + d * 8);
    at += n * 8;
    const type = at;
    const offset = at + 4;
    at += 12;
    tensors.push({ start, end: at, name, nameLength: start, dimCount, dims, type, offset });
  }
  const dataStart = Math.ceil(at / alignment) * alignment;
  return { version, tensorCount: 8, kvCount: 16, kv, tensors, infosEnd: at, alignment, dataStart, size: buffer.length };
}
