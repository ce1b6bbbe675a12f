import assert from 'node:assert/strict';
import { test } from 'node:test';
import { basesOf, goPackageName, hash, identifiersByDistance, importHeader, lastLines, lastLinesStart, methodsOutside, nextLinesEnd, receiverBefore, signatureOf, untilDeadline } from '../../server/src/context/contextText';
import type { IndexedDefinition } from '../../server/src/context/workspaceIndex';

test('signatureOf: a one-line definition whole; a longer one its first line, marked as cut', () => {
  assert.equal(signatureOf('type A = string;'), 'type A = string;');
  assert.equal(signatureOf('function f() {\n  return 1;\n}'), 'function f() {\n…');
});

test('receiverBefore: the receiver of the member access being typed, if the line ends in one', () => {
  assert.equal(receiverBefore('    x = self.pe'), 'self');
  assert.equal(receiverBefore('this.'), 'this');
  assert.equal(receiverBefore('const a = client . get'), 'client');
  assert.equal(receiverBefore('$el.on'), '$el');
  assert.equal(receiverBefore('call(a, b'), undefined);
  assert.equal(receiverBefore('x = 1.5'), undefined, 'a number is no receiver');
});

test('untilDeadline: resolves with the work, or at the deadline, whichever is first', async () => {
  const start = performance.now();
  await untilDeadline(new Promise(() => undefined), performance.now() + 30);
  assert.ok(performance.now() - start >= 25, 'waited for the deadline');
  const quick = performance.now();
  await untilDeadline(Promise.resolve(), performance.now() + 5000);
  assert.ok(performance.now() - quick < 1000, 'not for the deadline when the work is done');
  const past = performance.now();
  await untilDeadline(new Promise(() => undefined), performance.now() - 100);
  assert.ok(performance.now() - past < 1000, 'a deadline in the past does not wait');
});

test('lastLines and lastLinesStart: the last lines of a text, and where the lines above a line start', () => {
  assert.equal(lastLines('a\nb\nc\nd', 2), 'c\nd');
  assert.equal(lastLines('a', 3), 'a');
  const text = 'l0\nl1\nl2\nl3\n';
  const l3 = text.indexOf('l3');
  assert.equal(lastLinesStart(text, l3, 0), l3);
  assert.equal(lastLinesStart(text, l3, 1), text.indexOf('l2'));
  assert.equal(lastLinesStart(text, l3, 2), text.indexOf('l1'));
  assert.equal(lastLinesStart(text, l3, 10), 0, 'not before the start');
});

test('nextLinesEnd: where the lines after a line end', () => {
  const text = 'a\nb\nc\nd';
  assert.equal(nextLinesEnd(text, 1, 1), 3, 'the end of b');
  assert.equal(nextLinesEnd(text, 1, 2), 5, 'the end of c');
  assert.equal(nextLinesEnd(text, 1, 5), text.length, 'the text’s end when it has fewer lines');
  assert.equal(nextLinesEnd(text, -1, 2), text.length, 'no line end (the cursor on the last line): the end');
  assert.equal(nextLinesEnd(text, 1, 0), 1);
});

test('importHeader: the lines that import, in any of the languages, and nothing else', () => {
  const text = ['import { a } from "./a";', '  from x import y', 'use crate::b;', '#include "c.h"', 'const z = require("z");', 'package main', 'const imported = 1;', 'x.import()', 'requirement = 2'].join('\n');
  assert.deepEqual(importHeader(text).split('\n'), ['import { a } from "./a";', '  from x import y', 'use crate::b;', '#include "c.h"', 'const z = require("z");', 'package main']);
  assert.equal(importHeader('const a = 1;'), '');
});

test('hash: the same text the same number, a changed one another', () => {
  assert.equal(hash('import a'), hash('import a'));
  assert.notEqual(hash('import a'), hash('import b'));
  assert.notEqual(hash('ab'), hash('ba'));
  assert.equal(hash(''), 0);
  assert.ok(Number.isInteger(hash('x'.repeat(10_000))), 'stays a 32-bit integer');
});

test('goPackageName: an import path’s default local name', () => {
  assert.equal(goPackageName('github.com/google/go-cmp/cmp'), 'cmp');
  assert.equal(goPackageName('gopkg.in/yaml.v3'), 'yaml');
  assert.equal(goPackageName('github.com/jackc/pgx/v5'), 'pgx');
  assert.equal(goPackageName('github.com/mattn/go-sqlite3'), 'sqlite3');
  assert.equal(goPackageName('fmt'), 'fmt');
  assert.equal(goPackageName('v2'), 'v2', 'a lone version segment is the name');
  assert.equal(goPackageName('example.com/x/pkg-name'), 'pkg', 'up to the first character that cannot be in a name');
});

const at = (startLine: number): IndexedDefinition => ({ name: 'm', kind: 'method', path: 'x', startLine, endLine: startLine }) as IndexedDefinition;

test('methodsOutside: Go methods by their receiver', () => {
  const lines = ['package p', 'func (s *Server) Start() {', 'func (Server) Name() string {', 'func (c *Client) Start() {', 'func Start() {', 'func (s *ServerPool) Add() {'];
  const of = methodsOutside('p/server.go', lines, 'Server');
  assert.deepEqual([1, 2, 3, 4, 5].filter((line) => of(at(line))), [1, 2]);
});

test('methodsOutside: Rust functions inside impl blocks of the type, its own and trait impls for it', () => {
  const lines = ['struct Value;', 'impl Value {', '    fn new() -> Self {', '}', 'impl Display for Value {', '    fn fmt(&self) {', '}', 'impl Display for Other {', '    fn fmt(&self) {', '}', 'impl<T> From<T> for crate::de::Value {', '    fn from(t: T) {', '}', 'fn free() {}'];
  const of = methodsOutside('src/value.rs', lines, 'Value');
  assert.deepEqual([2, 5, 8, 11, 13].filter((line) => of(at(line))), [2, 5, 11]);
  assert.equal(of(at(1)), false, 'the impl line itself is no method');
  assert.equal(methodsOutside('src/a.ts', lines, 'Value')(at(2)), false, 'other languages have none');
});

test('identifiersByDistance: the cursor’s line first, then above and below in turn, each name once', () => {
  assert.deepEqual(identifiersByDistance('a1 = 1\nb1 = 2\ncursor_line(x', 'below1()\nbelow2()'), ['cursor_line', 'x', 'b1', 'below1', 'a1', 'below2']);
  assert.deepEqual(identifiersByDistance('x = y', ''), ['x', 'y']);
  assert.deepEqual(identifiersByDistance('f(a)', 'f(b)'), ['f', 'a', 'b'], 'a name seen nearer keeps its place');
});

test('basesOf: the bases a class line names, last segments, without type arguments or keywords', () => {
  assert.deepEqual(basesOf('class Foo(Base, mixins.Mixin, metaclass=ABCMeta):'), ['Base', 'Mixin']);
  assert.deepEqual(basesOf('class Foo(object):'), []);
  assert.deepEqual(basesOf('export class Store<T> extends base.Store<T> implements Cache, Disposable {'), ['Store', 'Cache', 'Disposable']);
  assert.deepEqual(basesOf('class Plain {'), []);
  assert.deepEqual(basesOf('export default abstract class A extends B {'), ['B']);
});

test('basesOf: indented classes, spacing, type parameters of several characters, Python generics, and lines that are no class', () => {
  assert.deepEqual(basesOf('    class Inner(Base):'), ['Base'], 'a nested class');
  assert.deepEqual(basesOf('export  class A extends  B  implements  C {'), ['B', 'C'], 'any run of spaces between the words');
  assert.deepEqual(basesOf('class Store<TKey, TValue> extends Base {'), ['Base']);
  assert.deepEqual(basesOf('class A extends Base<Key, Value> implements Cache {'), ['Base', 'Cache']);
  assert.deepEqual(basesOf('class Stack(Generic[T]):'), ['Generic']);
  assert.deepEqual(basesOf('def f(self):'), [], 'no class line: no bases');
});

test('hash: the polynomial it is (the KV-reuse keys of a session must not change between builds)', () => {
  assert.equal(hash('ab'), 97 * 31 + 98);
  assert.equal(hash('abc'), (97 * 31 + 98) * 31 + 99);
});

test('goPackageName: a version folder is skipped only when it is a version (v2, v10), not a name such as v1beta1', () => {
  assert.equal(goPackageName('github.com/org/repo/sub/v2'), 'sub');
  assert.equal(goPackageName('github.com/org/repo/v10'), 'repo');
  assert.equal(goPackageName('k8s.io/api/core/v1beta1'), 'v1beta1');
});

test('methodsOutside: Rust impl blocks whose functions end in indented braces, an impl for another type that mentions this one, a file cut off inside an impl', () => {
  const lines = ['impl Value {', '    fn a(&self) {', '    }', '    fn b(&self) {', '    }', '}', 'impl From<Value> for Other {', '    fn from(v: Value) -> Self {', '    }', '}', 'impl Value {', '    fn cut(&self) {'];
  const of = methodsOutside('src/value.rs', lines, 'Value');
  assert.deepEqual([1, 3, 7, 11].filter((line) => of(at(line))), [1, 3, 11]);
  assert.equal(of(at(5)), false, 'the closing brace of the impl is outside it');
});

test('identifiersByDistance: lines without identifiers add none', () => {
  assert.deepEqual(identifiersByDistance('x\n  ', '  ()\ny'), ['x', 'y']);
});

test('nextLinesEnd: a line end at the very start of the text is a line end', () => {
  assert.equal(nextLinesEnd('\na\nb', 0, 1), 2);
});
