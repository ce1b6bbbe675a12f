import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergedScoreTable, moduleScores, mutatedModules, scoreRow } from '../../tools/src/mutationReport';

const mutants = (statuses: string[]) => statuses.map((status) => ({ status }) as { status: 'Killed' });

test('module scores: detected (killed or timed out) over valid mutants, by the files of each module', () => {
  const report = {
    files: {
      'server/src/completion/completionCache.ts': { mutants: mutants(['Killed', 'Killed', 'Timeout', 'Survived', 'NoCoverage', 'CompileError']) },
      'server/src/context/contextText.ts': { mutants: mutants(['Killed', 'Survived']) },
      'server/src/context/contextBuilder.ts': { mutants: mutants(['Killed', 'Killed']) },
    },
  };
  const scores = new Map(moduleScores(report, '/repo').map((s) => [s.name, s]));
  assert.deepEqual(scores.get('cache'), { name: 'cache', mutants: 5, killed: 2, timeout: 1, survived: 1, noCoverage: 1, score: 60 });
  assert.equal(scores.get('context builder')!.score, 75);
  assert.ok(Number.isNaN(scores.get('filters')!.score), 'a module the report does not hold has no score');
});

test('a one-module run rewrites its row and keeps the others as they stand; a module never run says so', () => {
  const cache = { name: 'cache', mutants: 5, killed: 4, timeout: 0, survived: 1, noCoverage: 0, score: 80 };
  const previous = ['| module | … |', '| stop rules | 10 | 9 | 0 | 1 | 0 | **90.0 %** | 2026-11-30 |', '| cache | 5 | 1 | 0 | 4 | 0 | **20.0 %** | 2026-11-30 |'].join('\n');
  const table = mergedScoreTable(new Map([['cache', scoreRow(cache, '2026-12-01')]]), previous).split('\n');
  assert.equal(table.length, 2 + mutatedModules.length);
  assert.ok(table.includes('| cache | 5 | 4 | 0 | 1 | 0 | **80.0 %** | 2026-12-01 |'), table.join('\n'));
  assert.ok(table.includes('| stop rules | 10 | 9 | 0 | 1 | 0 | **90.0 %** | 2026-11-30 |'));
  assert.ok(table.includes('| filters | | | | | | not run | |'));
  assert.deepEqual(table.slice(2).map((row) => row.split('|')[1]!.trim()), mutatedModules.map((m) => m.name), 'in the modules’ order');
});
