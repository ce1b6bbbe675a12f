import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lineLimit } from '../../server/src/completion/stopRules/lineLimit';
import { stopAtSuffixOverlap } from '../../server/src/completion/stopRules/stopAtSuffixOverlap';
import { firstStop, stopRulesFor } from '../../server/src/completion/stopRules';

test('lineLimit goes on until the allowed lines are complete, then cuts the line break', () => {
  const rule = lineLimit(2);
  assert.equal(rule('a\nb'), undefined);
  assert.equal(rule('a\nb\nc'), 3);
  assert.equal(lineLimit(1)('return x;\n'), 'return x;'.length);
});

test('stopAtSuffixOverlap cuts output that ends with the rest of the cursor line', () => {
  const rule = stopAtSuffixOverlap(');\nnext();\n');
  assert.equal(rule('a, b'), undefined);
  assert.equal(rule('a, b);'), 'a, b'.length);
});

test('stopAtSuffixOverlap stops at a generated line that repeats the next line of the suffix', () => {
  const rule = stopAtSuffixOverlap('\n\n  }\n}\n');
  assert.equal(rule('const x = 1;\n  }'), undefined, 'an unfinished line is not compared yet');
  assert.equal(rule('const x = 1;\n  }\n'), 'const x = 1;'.length);
  assert.equal(rule('const x = 1;\nreturn x;\n'), undefined);
});

test('stopAtSuffixOverlap leaves output alone when the suffix is empty', () => {
  assert.equal(stopAtSuffixOverlap('')('anything\nat all\n'), undefined);
});

test('firstStop takes the earliest cut of all rules', () => {
  const rules = stopRulesFor('\n}\n', 3);
  assert.equal(firstStop(rules, 'a\nb\n}\nc\nd\n'), 'a\nb'.length);
  assert.equal(firstStop(rules, 'a\nb\nc\nd'), 'a\nb\nc'.length);
  assert.equal(firstStop(rules, 'a\nb'), undefined);
});

test('stopAtSuffixOverlap: the rest of the line is compared trimmed, on the first line only, also without a line break after it', () => {
  assert.equal(stopAtSuffixOverlap(')')('a)'), 1, 'a suffix without a line break');
  assert.equal(stopAtSuffixOverlap(' );\n')('a, b);'), 'a, b'.length, 'the suffix’s spaces do not matter');
  assert.equal(stopAtSuffixOverlap(');\n')('a, b);  '), 'a, b'.length, 'nor trailing spaces of the output');
  assert.equal(stopAtSuffixOverlap(')\n')('x)\nmore'), 1, 'the first line of the output is what is compared');
});

test('stopAtSuffixOverlap: the anchor is the rest of the line when there is one, else the next non-blank line, whole', () => {
  assert.equal(stopAtSuffixOverlap(');\nnext();\n')('a\n);\n'), 1, 'a later line repeating the rest of the cursor line');
  assert.equal(stopAtSuffixOverlap('\nreturn x;\n')('a;\nreturn x;\n'), 'a;'.length);
  assert.equal(stopAtSuffixOverlap('\n}\n')('\n}\n'), 0, 'an empty first line, then the anchor');
  assert.equal(stopAtSuffixOverlap('\n}\n')('}\nx\n'), undefined, 'the first line is the cursor’s own, not compared with the next line');
});

test('lineLimit: a line break as the very first character is cut at once for one line', () => {
  assert.equal(lineLimit(1)('\nx'), 0);
});

test('firstStop takes the smallest cut whichever rule gives it, and none when no rule cuts', () => {
  assert.equal(firstStop([() => 5, () => 2, () => 7], 'x'), 2);
  assert.equal(firstStop([() => undefined, () => 3, () => undefined], 'x'), 3);
  assert.equal(firstStop([() => undefined], 'x'), undefined);
});
