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
