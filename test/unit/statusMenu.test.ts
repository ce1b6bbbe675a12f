import assert from 'node:assert/strict';
import { test } from 'node:test';
import { statusMenuItems } from '../../client/src/statusMenu';

const commands = (items: ReturnType<typeof statusMenuItems>) => items.map((item) => [item.command, ...(item.args ?? [])].join(' '));

test('with the demo model, choosing a real one comes first and says why', () => {
  const items = statusMenuItems({ enabled: true, languageId: 'typescript', languageEnabled: true, demoModel: true });
  assert.equal(items[0]!.command, 'hearth.chooseModel');
  assert.match(items[0]!.description!, /noise/);
});

test('this language can be switched on its own; everything only by its own item', () => {
  assert.deepEqual(commands(statusMenuItems({ enabled: true, languageId: 'python', languageEnabled: true, demoModel: false })), [
    'hearth.setLanguageEnabled python false',
    'hearth.disable',
    'hearth.chooseModel',
    'hearth.explain',
    'hearth.showLog',
    'workbench.action.openSettings @ext:hearth.hearth',
  ]);
  assert.ok(commands(statusMenuItems({ enabled: true, languageId: 'python', languageEnabled: false, demoModel: false })).includes('hearth.setLanguageEnabled python true'));
  const off = commands(statusMenuItems({ enabled: false, languageId: undefined, languageEnabled: false, demoModel: false }));
  assert.ok(off.includes('hearth.enable') && !off.some((c) => c.startsWith('hearth.setLanguageEnabled')) && !off.includes('hearth.explain'));
});
