// A minimal GGUF (version 3) writer: metadata and tensors, with tensor data produced by a callback so that files of
// hundreds of megabytes stream to disk without being held in memory. Used to make size-realistic benchmark models.
import { closeSync, openSync, writeSync } from 'node:fs';

export type GgufValue =
  | { type: 'u32'; value: number }
  | { type: 'f32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'i32[]'; value: readonly number[] }
  | { type: 'string[]'; value: readonly string[] };

export const ggmlType = { f32: 0, q8_0: 8 } as const;
export type GgmlTypeName = keyof typeof ggmlType;

export interface GgufTensor {
  name: string;
  /** llama.cpp's order: the innermost (row length) first. */
  dims: readonly number[];
  type: GgmlTypeName;
}

const alignment = 32;
const q8BlockValues = 32;
const q8BlockBytes = 34; // f16 scale + 32 int8

export function tensorBytes(tensor: GgufTensor): number {
  const values = tensor.dims.reduce((a, b) => a * b, 1);
  if (tensor.type === 'f32') return values * 4;
  if (tensor.dims[0]! % q8BlockValues !== 0) throw new Error(`${tensor.name}: rows of Q8_0 must be a multiple of ${q8BlockValues}`);
  return (values / q8BlockValues) * q8BlockBytes;
}

class ByteWriter {
  private readonly chunks: Buffer[] = [];
  length = 0;
  private push(buffer: Buffer): void {
    this.chunks.push(buffer);
    this.length += buffer.length;
  }
  private scalar(bytes: number, write: (buffer: Buffer) => void): void {
    const buffer = Buffer.alloc(bytes);
    write(buffer);
    this.push(buffer);
  }
  u32(value: number): void {
    this.scalar(4, (b) => b.writeUInt32LE(value));
  }
  i32(value: number): void {
    this.scalar(4, (b) => b.writeInt32LE(value));
  }
  u64(value: number): void {
    this.scalar(8, (b) => b.writeBigUInt64LE(BigInt(value)));
  }
  f32(value: number): void {
    this.scalar(4, (b) => b.writeFloatLE(value));
  }
  string(value: string): void {
    const bytes = Buffer.from(value, 'utf8');
    this.u64(bytes.length);
    this.push(bytes);
  }
  bytes(buffer: Buffer): void {
    this.push(buffer);
  }
  pad(): void {
    const rest = (alignment - (this.length % alignment)) % alignment;
    if (rest > 0) this.push(Buffer.alloc(rest));
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

const valueType = { u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9 } as const;

function writeValue(out: ByteWriter, value: GgufValue): void {
  switch (value.type) {
    case 'u32':
      out.u32(valueType.u32);
      out.u32(value.value);
      return;
    case 'f32':
      out.u32(valueType.f32);
      out.f32(value.value);
      return;
    case 'bool':
      out.u32(valueType.bool);
      out.bytes(Buffer.from([value.value ? 1 : 0]));
      return;
    case 'string':
      out.u32(valueType.string);
      out.string(value.value);
      return;
    case 'i32[]':
      out.u32(valueType.array);
      out.u32(valueType.i32);
      out.u64(value.value.length);
      for (const item of value.value) out.i32(item);
      return;
    case 'string[]':
      out.u32(valueType.array);
      out.u32(valueType.string);
      out.u64(value.value.length);
      for (const item of value.value) out.string(item);
      return;
  }
}

/**
 * Writes a GGUF file. `fill(tensor, buffer)` fills each piece of a tensor's data (called repeatedly with buffers of
 * at most `chunkBytes` until the tensor's bytes are written).
 */
export function writeGguf(
  path: string,
  metadata: ReadonlyArray<readonly [string, GgufValue]>,
  tensors: readonly GgufTensor[],
  fill: (tensor: GgufTensor, chunk: Buffer) => void,
  chunkBytes = 1 << 20,
): number {
  const header = new ByteWriter();
  header.bytes(Buffer.from('GGUF', 'ascii'));
  header.u32(3);
  header.u64(tensors.length);
  header.u64(metadata.length);
  for (const [key, value] of metadata) {
    header.string(key);
    writeValue(header, value);
  }
  let offset = 0;
  for (const tensor of tensors) {
    header.string(tensor.name);
    header.u32(tensor.dims.length);
    for (const dim of tensor.dims) header.u64(dim);
    header.u32(ggmlType[tensor.type]);
    header.u64(offset);
    offset += Math.ceil(tensorBytes(tensor) / alignment) * alignment;
  }
  header.pad();
  const fd = openSync(path, 'w');
  try {
    let written = writeSync(fd, header.toBuffer());
    const chunk = Buffer.alloc(chunkBytes);
    for (const tensor of tensors) {
      const size = tensorBytes(tensor);
      for (let done = 0; done < size; ) {
        const piece = chunk.subarray(0, Math.min(chunkBytes, size - done));
        fill(tensor, piece);
        written += writeSync(fd, piece);
        done += piece.length;
      }
      const padding = (alignment - (size % alignment)) % alignment;
      if (padding > 0) written += writeSync(fd, Buffer.alloc(padding));
    }
    return written;
  } finally {
    closeSync(fd);
  }
}
