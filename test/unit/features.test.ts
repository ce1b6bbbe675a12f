import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDisabledFeatures } from '../../server/src/features';

test('every feature is on unless named', () => {
  assert.deepEqual(parseDisabledFeatures(undefined), { features: { kvReuse: true, cache: true, keepGoing: true, streaming: true, context: true, promptAnchor: true, latencyBudget: true, speculationCostCheck: true }, unknown: [] });
});

test('named features are switched off; unknown names are reported', () => {
  const { features, unknown } = parseDisabledFeatures(' cache, kvReuse ,warp');
  assert.deepEqual(features, { kvReuse: false, cache: false, keepGoing: true, streaming: true, context: true, promptAnchor: true, latencyBudget: true, speculationCostCheck: true });
  assert.deepEqual(unknown, ['warp']);
});
