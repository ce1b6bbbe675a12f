import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyFilters } from '../../server/src/completion/filters';
import { dropIfOnlyWhitespace } from '../../server/src/completion/filters/dropIfOnlyWhitespace';
import { trimTrailingWhitespace } from '../../server/src/completion/filters/trimTrailingWhitespace';

test('trimTrailingWhitespace removes trailing spaces and blank lines only', () => {
  assert.equal(trimTrailingWhitespace('  x = 1;  \n\n  '), '  x = 1;');
  assert.equal(trimTrailingWhitespace('a\n  b'), 'a\n  b');
});

test('dropIfOnlyWhitespace drops invisible completions', () => {
  assert.equal(dropIfOnlyWhitespace(' \n\t'), '');
  assert.equal(dropIfOnlyWhitespace(' x'), ' x');
});

test('applyFilters chains the filters', () => {
  assert.equal(applyFilters('foo()  \n'), 'foo()');
  assert.equal(applyFilters('\n \n'), '');
});
