import assert from 'node:assert/strict';
import test from 'node:test';
import type { Token } from 'node-llama-cpp';
import { TokenTextStream } from '../../server/src/model/tokenStream';

/** A vocabulary of byte strings: a token may hold part of a UTF-8 character, as byte-level BPE tokens do. */
function vocabulary(pieces: Array<string | number[]>) {
  const bytes = pieces.map((piece) => (typeof piece === 'string' ? new TextEncoder().encode(piece) : Uint8Array.from(piece)));
  const decode = (tokens: Token[]): string => {
    const all = tokens.flatMap((token) => [...bytes[token]!]);
    return new TextDecoder().decode(Uint8Array.from(all));
  };
  return decode;
}

function run(pieces: Array<string | number[]>, heldBack = ''): string[] {
  const stream = new TokenTextStream(vocabulary(pieces), heldBack);
  return pieces.map((_, index) => stream.push(index as Token));
}

test('each token shows the text it adds, and the deltas join to the whole text', () => {
  assert.deepEqual(run(['const', ' x', ' =', ' 1;']), ['const', ' x', ' =', ' 1;']);
});

test('a token ending inside a UTF-8 character shows nothing until the character completes', () => {
  const euro = [...new TextEncoder().encode('€')];
  assert.deepEqual(run(['a', euro.slice(0, 1), euro.slice(1), 'b']), ['a', '', '€', 'b']);
  assert.deepEqual(run([euro.slice(0, 2), euro.slice(2)]), ['', '€'], 'from the first token on');
});

test('a token that decodes to nothing shows nothing, and the next one its own text', () => {
  assert.deepEqual(run(['a', '', 'b']), ['a', '', 'b']);
});

test('whitespace held back from the prompt is not shown twice when the model writes it', () => {
  assert.deepEqual(run([' ', ' ', 'return'], '  '), ['', '', 'return'], 'the indentation is the user’s already');
  assert.deepEqual(run(['  return'], '  '), ['return'], 'in one token');
  assert.deepEqual(run(['    x'], '  '), ['  x'], 'more whitespace than was held back: the extra is shown');
});

test('a model that does not write the held-back whitespace has its text shown whole', () => {
  assert.deepEqual(run(['x'], '  '), ['x'], 'not whitespace at all');
  assert.deepEqual(run([' ', 'y'], '  '), ['', ' y'], 'diverging inside the whitespace: everything it wrote');
  assert.deepEqual(run(['\n', 'z'], ' \n'), ['\n', 'z'], 'a prefix of the held-back text is not a match unless it is its start');
});

test('the stream counts every token it was given, shown or not', () => {
  const stream = new TokenTextStream(vocabulary([' ', 'a']), ' ');
  stream.push(0 as Token);
  assert.deepEqual([...stream.tokens], [0]);
  stream.push(1 as Token);
  assert.deepEqual([...stream.tokens], [0, 1]);
});
