// Every shipped grammar loads with the pinned web-tree-sitter, and its queries find the imports, definitions and
// enclosing scopes of real code (the cursor ║ marks where the scopes are asked for).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { DocumentTrees, maxParsedChars } from '../../server/src/syntax/documentTrees';
import { GrammarRegistry } from '../../server/src/syntax/grammarRegistry';
import { type GrammarName, grammarForLanguage, grammarForPath, grammarNames } from '../../common/languages';
import { enclosingScopes, extractDefinitions, extractImports } from '../../server/src/syntax/outline';
import { splitAtCursor } from '../support/cursor';
import { repoRoot } from '../support/paths';

const registry = new GrammarRegistry(join(repoRoot, 'grammars'));

interface Case {
  code: string;
  imports: Array<{ source: string; names: string[] }>;
  definitions: string[]; // "kind name"
  /** Types of the scopes around the cursor, innermost first. */
  scopes: string[];
}

const cases: Record<GrammarName, Case> = {
  typescript: {
    code: `import { Point, scale as resize } from './geometry';
import * as path from 'node:path';
import Default from "./default";

export interface Shape { area(): number }
export type Id = string;
enum Color { Red, Green }
export const origin: Point = { x: 0, y: 0 };

export class Circle implements Shape {
  constructor(private readonly r: number) {}
  area(): number {
    const local = 2;
    return Math.PI * this.r ** ║local;
  }
}

export function unit(p: Point): Point {
  return resize(p, 1);
}
`,
    imports: [
      { source: './geometry', names: ['Point', 'scale', 'resize'] },
      { source: 'node:path', names: ['path'] },
      { source: './default', names: ['Default'] },
    ],
    definitions: ['interface Shape', 'type Id', 'enum Color', 'variable origin', 'class Circle', 'method constructor', 'method area', 'function unit'],
    scopes: ['method_definition', 'class_declaration'],
  },
  tsx: {
    code: `import React, { useState } from 'react';

export function Counter(props: { start: number }) {
  const [count, setCount] = useState(props.start);
  return <button onClick={() => setCount(count + ║1)}>{count}</button>;
}
`,
    imports: [{ source: 'react', names: ['React', 'useState'] }],
    definitions: ['function Counter'],
    scopes: ['arrow_function', 'function_declaration'],
  },
  javascript: {
    code: `const fs = require('fs');
import { join } from './paths.js';

class Store {
  load(name) {
    return fs.readFileSync(join('data', ║name));
  }
}

function open() {}
`,
    imports: [
      { source: 'fs', names: ['fs'] },
      { source: './paths.js', names: ['join'] },
    ],
    definitions: ['variable fs', 'class Store', 'method load', 'function open'],
    scopes: ['method_definition', 'class_declaration'],
  },
  python: {
    code: `import os.path
import numpy as np
from .geometry import Point, scale as resize

LIMIT = 10

class Circle:
    def area(self):
        return 3.14 * ║self.r ** 2

def unit(p):
    return resize(p, 1)
`,
    imports: [
      { source: 'os.path', names: ['path'] },
      { source: 'numpy', names: ['np'] },
      { source: '.geometry', names: ['Point', 'resize'] },
    ],
    definitions: ['variable LIMIT', 'class Circle', 'function area', 'function unit'],
    scopes: ['function_definition', 'class_definition'],
  },
  go: {
    code: `package shapes

import (
	"fmt"
	geo "example.com/geometry"
)

const Limit = 10

type Circle struct{ R float64 }

func (c Circle) Area() float64 {
	return 3.14 * c.R * ║c.R
}

func Describe(p geo.Point) string { return fmt.Sprint(p) }
`,
    imports: [
      { source: 'fmt', names: [] },
      { source: 'example.com/geometry', names: ['geo'] },
    ],
    definitions: ['variable Limit', 'type Circle', 'method Area', 'function Describe'],
    scopes: ['method_declaration'],
  },
  rust: {
    code: `use std::collections::HashMap;
use crate::geometry::{Point, scale as resize};

pub struct Circle { r: f64 }

impl Circle {
    pub fn area(&self) -> f64 {
        3.14 * self.r * ║self.r
    }
}

pub fn unit(p: Point) -> Point { resize(p, 1.0) }
`,
    imports: [
      { source: 'std::collections::HashMap', names: ['HashMap'] },
      { source: 'crate::geometry::{Point, scale as resize}', names: ['Point', 'scale', 'resize'] },
    ],
    definitions: ['struct Circle', 'function area', 'function unit'],
    scopes: ['function_item', 'impl_item'],
  },
  java: {
    code: `package shapes;

import java.util.List;
import com.example.geometry.Point;

public class Circle {
    private double r;
    public Circle(double r) { this.r = r; }
    public double area() {
        return Math.PI * r * ║r;
    }
}
`,
    imports: [
      { source: 'java.util.List', names: ['List'] },
      { source: 'com.example.geometry.Point', names: ['Point'] },
    ],
    definitions: ['class Circle', 'variable r', 'method Circle', 'method area'],
    scopes: ['method_declaration', 'class_declaration'],
  },
  c: {
    code: `#include <stdio.h>
#include "geometry.h"

#define LIMIT 10

typedef struct point { double x, y; } point_t;

static double area(double r) {
    return 3.14 * r * ║r;
}

char *name(void);
`,
    imports: [
      { source: 'stdio.h', names: [] },
      { source: 'geometry.h', names: [] },
    ],
    definitions: ['macro LIMIT', 'struct point', 'type point_t', 'function area', 'function name'],
    scopes: ['function_definition'],
  },
  cpp: {
    code: `#include <vector>
#include "geometry.hpp"

namespace shapes {
class Circle {
 public:
  double area() const;
 private:
  double r_;
};

double Circle::area() const {
  return 3.14 * r_ * ║r_;
}
}  // namespace shapes
`,
    imports: [
      { source: 'vector', names: [] },
      { source: 'geometry.hpp', names: [] },
    ],
    definitions: ['module shapes', 'class Circle', 'method area', 'method area'],
    scopes: ['function_definition', 'namespace_definition'],
  },
};

for (const name of grammarNames) {
  test(`${name}: the grammar loads and its queries find imports, definitions and the scopes at the cursor`, async () => {
    const grammar = await registry.get(name);
    assert.ok(grammar, `grammar ${name} loads`);
    const { code, imports, definitions, scopes } = cases[name];
    const { text, offset } = splitAtCursor(code);
    const tree = GrammarRegistry.parse(grammar, text);
    assert.equal(tree.rootNode.hasError, false, `${name} fixture parses without errors`);
    assert.deepEqual(
      extractImports(tree, grammar).map(({ source, names }) => ({ source, names })),
      imports,
    );
    assert.deepEqual(
      extractDefinitions(tree, grammar).map((d) => `${d.kind} ${d.name}`),
      definitions,
    );
    assert.deepEqual(
      enclosingScopes(tree, grammar, offset).map((node) => node.type),
      scopes,
    );
  });
}

test('definition snippets carry the signature and a short body, and are cut when long', async () => {
  const grammar = (await registry.get('typescript'))!;
  const long = `export function long(a: number): number {\n${'  a++;\n'.repeat(30)}  return a;\n}\n`;
  const tree = GrammarRegistry.parse(grammar, `export function short(a: number): number {\n  return a * 2;\n}\n${long}`);
  const [short, cut] = extractDefinitions(tree, grammar);
  assert.equal(short!.snippet, 'export function short(a: number): number {\n  return a * 2;\n}'.replace('export ', ''));
  assert.ok(cut!.snippet.startsWith('function long(a: number): number {'));
  assert.ok(cut!.snippet.endsWith('…'));
  assert.ok(cut!.snippet.split('\n').length <= 13);
});

test('an edited document is re-parsed incrementally to the same tree a fresh parse gives', async () => {
  const grammar = (await registry.get('python'))!;
  const trees = new DocumentTrees();
  const before = 'def f(x):\n    return x\n';
  trees.treeFor('file:///a.py', grammar, before);
  const after = 'def f(x, y):\n    return x + y\n\ndef g():\n    pass\n';
  const incremental = trees.treeFor('file:///a.py', grammar, after)!;
  assert.equal(incremental.rootNode.toString(), GrammarRegistry.parse(grammar, after).rootNode.toString());
  assert.deepEqual(extractDefinitions(incremental, grammar).map((d) => d.name), ['f', 'g']);
});

test('a document too long to parse is not parsed (a 100 000-line file held every request for 3 s): no tree, plain rules', async () => {
  const grammar = (await registry.get('typescript'))!;
  const trees = new DocumentTrees();
  const line = 'export const value = 1;\n';
  const long = line.repeat(Math.ceil((maxParsedChars + 1) / line.length));
  assert.equal(trees.treeFor('file:///long.ts', grammar, long), undefined);
  assert.ok(trees.treeFor('file:///long.ts', grammar, line.repeat(100)), 'a shorter text of the same document is parsed');
});

test('languages map to grammars; others have none (plain-text context)', () => {
  assert.equal(grammarForLanguage('typescriptreact'), 'tsx');
  assert.equal(grammarForLanguage('markdown'), undefined);
  assert.equal(grammarForPath('src/a/b.hpp'), 'cpp');
  assert.equal(grammarForPath('README'), undefined);
});
