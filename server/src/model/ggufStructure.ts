// A bounded walk over a GGUF file's structure before any other parser sees it. node-llama-cpp's JavaScript GGUF reader
// trusts the file's lengths and counts: a key length off by a few bytes sent it through garbage for 19 s, a tensor
// with 4 294 967 295 dimensions made it allocate until the process was killed (both found by `npm run fuzz`). Here
// every length, count and type is checked against the file's size and GGUF's limits, reading at most what the file
// holds, so a damaged or hostile file is refused in milliseconds with a message.
import { type FileHandle, open } from 'node:fs/promises';

/** GGUF value types (gguf.h): their sizes, or 0 for string and array. */
const valueSizes = [1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8];
const stringType = 8;
const arrayType = 9;
/** GGML_MAX_DIMS. */
const maxDims = 4;
/** Longest key and tensor name accepted (GGUF keys are short dotted names; llama.cpp's tensor names are < 64 bytes). */
const maxNameBytes = 65535;
/** Highest ggml type id accepted here (llama.cpp's own loader checks the exact set and sizes). */
const maxGgmlType = 255;

/** Reads a file forwards in chunks, never past its end. */
class BoundedReader {
  private buffer = Buffer.alloc(0);
  private bufferStart = 0;
  position = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  get remaining(): number {
    return this.size - this.position;
  }

  private async ensure(length: number, what: string): Promise<void> {
    if (length > this.remaining) throw new StructureError(`the file ends inside ${what} (at byte ${this.position} of ${this.size})`);
    const end = this.position + length;
    if (this.position >= this.bufferStart && end <= this.bufferStart + this.buffer.length) return;
    const chunk = Math.max(length, 1 << 20);
    const buffer = Buffer.alloc(Math.min(chunk, this.size - this.position));
    await this.handle.read(buffer, 0, buffer.length, this.position);
    this.buffer = buffer;
    this.bufferStart = this.position;
  }

  async u32(what: string): Promise<number> {
    await this.ensure(4, what);
    const value = this.buffer.readUInt32LE(this.position - this.bufferStart);
    this.position += 4;
    return value;
  }

  async u64(what: string): Promise<bigint> {
    await this.ensure(8, what);
    const value = this.buffer.readBigUInt64LE(this.position - this.bufferStart);
    this.position += 8;
    return value;
  }

  async string(what: string, maxBytes = Number.MAX_SAFE_INTEGER): Promise<string> {
    const length = await this.u64(`the length of ${what}`);
    if (length > BigInt(Math.min(maxBytes, this.remaining))) throw new StructureError(`${what} claims ${length} bytes${length > BigInt(this.remaining) ? `, more than the ${this.remaining} left in the file` : ''}`);
    await this.ensure(Number(length), what);
    const text = this.buffer.toString('utf8', this.position - this.bufferStart, this.position - this.bufferStart + Number(length));
    this.position += Number(length);
    return text;
  }

  /** `count` strings' lengths checked and their bytes passed over, in a tight loop (a vocabulary has 150 000). */
  async skipStrings(count: number, what: string): Promise<void> {
    for (let j = 0; j < count; j++) {
      if (this.position < this.bufferStart || this.position + 8 > this.bufferStart + this.buffer.length) await this.ensure(8, `the length of element ${j} of ${what}`);
      const length = this.buffer.readBigUInt64LE(this.position - this.bufferStart);
      this.position += 8;
      if (length > BigInt(this.size - this.position)) throw new StructureError(`element ${j} of ${what} claims ${length} bytes, more than the ${this.size - this.position} left in the file`);
      this.position += Number(length);
    }
  }

  /** A string's length checked and its bytes passed over (a vocabulary's 150 000 tokens need not be decoded). */
  async skipString(what: string): Promise<void> {
    const length = await this.u64(`the length of ${what}`);
    if (length > BigInt(this.remaining)) throw new StructureError(`${what} claims ${length} bytes, more than the ${this.remaining} left in the file`);
    this.position += Number(length);
  }

  async skip(length: number, what: string): Promise<void> {
    if (length > this.remaining) throw new StructureError(`${what} claims ${length} bytes, more than the ${this.remaining} left in the file`);
    this.position += length;
  }
}

export class StructureError extends Error {}

export interface GgufStructure {
  version: number;
  tensorCount: number;
  metadataCount: number;
}

/** Walks the header, metadata and tensor table of a GGUF file; throws StructureError on the first thing out of bounds. */
export async function checkGgufStructure(path: string): Promise<GgufStructure> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const reader = new BoundedReader(handle, size);
    await reader.u32('the magic');
    const version = await reader.u32('the version');
    if (version !== 2 && version !== 3) throw new StructureError(`GGUF version ${version} is not one llama.cpp reads (2 or 3)`);
    const tensorCount = await reader.u64('the tensor count');
    const metadataCount = await reader.u64('the metadata count');
    // Each metadata entry takes at least 13 bytes (length, type, a one-byte value), each tensor info at least 33.
    if (metadataCount * 13n > BigInt(size)) throw new StructureError(`it claims ${metadataCount} metadata entries, more than its ${size} bytes can hold`);
    if (tensorCount * 33n > BigInt(size)) throw new StructureError(`it claims ${tensorCount} tensors, more than its ${size} bytes can hold`);
    const keys = new Set<string>();
    let alignment = 32;
    for (let i = 0; i < Number(metadataCount); i++) {
      const key = await reader.string(`metadata key ${i}`, maxNameBytes);
      if (keys.has(key)) throw new StructureError(`the metadata key ${key} appears twice`);
      keys.add(key);
      const type = await reader.u32(`the type of ${key}`);
      if (type >= valueSizes.length) throw new StructureError(`${key} has value type ${type}, which GGUF does not define`);
      if (type === stringType) await reader.skipString(`the value of ${key}`);
      else if (type === arrayType) {
        const elementType = await reader.u32(`the element type of ${key}`);
        if (elementType >= valueSizes.length || elementType === arrayType) throw new StructureError(`${key} is an array of type ${elementType}, which GGUF does not define`);
        const count = await reader.u64(`the length of ${key}`);
        // Every string element takes at least its 8-byte length.
        const least = BigInt(elementType === stringType ? 8 : valueSizes[elementType]!);
        if (count * least > BigInt(reader.remaining)) throw new StructureError(`${key} claims ${count} elements, more than the file holds`);
        if (elementType === stringType) await reader.skipStrings(Number(count), key);
        else await reader.skip(Number(count) * valueSizes[elementType]!, `the elements of ${key}`);
      } else if (key === 'general.alignment') {
        if (type !== 4) throw new StructureError(`general.alignment has type ${type}, not u32`);
        alignment = await reader.u32('general.alignment');
        if (alignment === 0 || (alignment & (alignment - 1)) !== 0) throw new StructureError(`general.alignment is ${alignment}, not a power of two`);
      } else await reader.skip(valueSizes[type]!, `the value of ${key}`);
    }
    const offsets: bigint[] = [];
    for (let i = 0; i < Number(tensorCount); i++) {
      const name = await reader.string(`the name of tensor ${i}`, maxNameBytes);
      const dims = await reader.u32(`the dimensions of ${name}`);
      if (dims === 0 || dims > maxDims) throw new StructureError(`tensor ${name} has ${dims} dimensions (llama.cpp allows 1 to ${maxDims})`);
      let elements = 1n;
      for (let d = 0; d < dims; d++) {
        const extent = await reader.u64(`dimension ${d} of ${name}`);
        elements *= extent;
        if (extent >= 1n << 63n || elements >= 1n << 63n) throw new StructureError(`tensor ${name} has ${elements} elements, past what llama.cpp can address`);
      }
      const type = await reader.u32(`the type of ${name}`);
      if (type > maxGgmlType) throw new StructureError(`tensor ${name} has ggml type ${type}, which does not exist`);
      const offset = await reader.u64(`the data offset of ${name}`);
      if (offset % BigInt(alignment) !== 0n) throw new StructureError(`tensor ${name}'s data offset ${offset} is not aligned to ${alignment}`);
      offsets.push(offset);
    }
    const dataStart = Math.ceil(reader.position / alignment) * alignment;
    const dataBytes = BigInt(Math.max(0, size - dataStart));
    const past = offsets.findIndex((offset) => offset > dataBytes);
    if (past >= 0) throw new StructureError(`it ends before its tensor data does (tensor ${past}'s data starts at byte ${offsets[past]} of the data, the file holds ${dataBytes}): a download cut short, or a truncated file`);
    return { version, tensorCount: Number(tensorCount), metadataCount: Number(metadataCount) };
  } finally {
    await handle.close();
  }
}
