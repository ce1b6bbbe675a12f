// Token ids → text for byte-level BPE (GPT-2 style) vocabularies, decoded from the GGUF's own token strings.
// llama.cpp's detokenizer "cleans up" spaces for such vocabularies unless the model's pre-tokenizer says otherwise:
// it drops the space before `?`, `.`, `,`, `!` and `'` (measured: `b ? c` came back as `b? c`, `{ ...y }` as
// `{...y }`) — wrong for code. Decoding the bytes ourselves gives the text exactly as the model produced it.

/** GPT-2's bytes_to_unicode table, inverted: the printable character standing for each byte → the byte. */
function unicodeToByte(): Map<string, number> {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const map = new Map<string, number>();
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    if (printable.includes(b)) map.set(String.fromCharCode(b), b);
    else map.set(String.fromCharCode(256 + shifted++), b);
  }
  return map;
}

const controlTokenType = 3;

export class ByteLevelDecoder {
  private readonly bytesOf: Array<Uint8Array>;
  private readonly utf8 = new TextDecoder('utf-8');

  /** `tokens` and `types` as in the GGUF (tokenizer.ggml.tokens / token_type); control tokens decode to nothing. */
  constructor(tokens: readonly string[], types: readonly number[] = []) {
    const table = unicodeToByte();
    this.bytesOf = tokens.map((token, id) => {
      if (types[id] === controlTokenType) return new Uint8Array();
      const bytes: number[] = [];
      for (const char of token) {
        const byte = table.get(char);
        if (byte === undefined) return new TextEncoder().encode(token); // not byte-level (a user-defined token): as written
        bytes.push(byte);
      }
      return Uint8Array.from(bytes);
    });
  }

  /** The text of `ids`; an incomplete UTF-8 character at the end comes out as U+FFFD (the caller waits for more). */
  decode(ids: readonly number[]): string {
    let length = 0;
    for (const id of ids) length += this.bytesOf[id]?.length ?? 0;
    const buffer = new Uint8Array(length);
    let at = 0;
    for (const id of ids) {
      const bytes = this.bytesOf[id];
      if (!bytes) continue;
      buffer.set(bytes, at);
      at += bytes.length;
    }
    return this.utf8.decode(buffer);
  }
}
