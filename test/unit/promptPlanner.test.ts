import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commonPrefixLength, maxMiddleChars, minQuickTokens, type PlanInput, PromptPlanner, quickHeaderShare } from '../../server/src/model/promptPlanner';

// One token per character, FIM tokens as negative numbers: a prompt reads back as text.
const ids = { prefix: -1, suffix: -2, middle: -3 };
const tokenize = (text: string) => [...text].map((c) => c.codePointAt(0)!);
const show = (tokens: readonly number[]) =>
  tokens.map((t) => (t === -1 ? '<pre>' : t === -2 ? '<suf>' : t === -3 ? '<mid>' : t === -9 ? '<hdr>' : String.fromCodePoint(t))).join('');
const input = (prefix: string, suffix: string, extra: Partial<PlanInput> = {}): PlanInput => ({ documentKey: 'a.ts', prefix, suffix, header: [], budget: 4000, ...extra });
const noBudget = Number.POSITIVE_INFINITY;

test('prefix-first: the prompt is anchored where the line\'s code starts, what was typed since opens the middle', () => {
  const planner = new PromptPlanner(tokenize, ids, 'psm');
  const first = planner.plan(input('a = 1\nb = ', '\nc = 3\n'), [], noBudget);
  // The space typed last is held back: in byte-level BPE it belongs to the next word.
  assert.equal(show(first.tokens), '<pre>a = 1\n<suf>\nc = 3\n<mid>b =');
  assert.equal(first.heldBack, ' ');
  assert.equal(first.full, true);
  // Typing at the anchor changes only the end: everything up to the middle token is the same prompt.
  const next = planner.plan(input('a = 1\nb = 4', '\nc = 3\n'), first.tokens, noBudget);
  assert.equal(show(next.tokens), '<pre>a = 1\n<suf>\nc = 3\n<mid>b = 4');
  assert.equal(next.heldBack, '');
  assert.equal(commonPrefixLength(first.tokens, next.tokens), first.tokens.length);
  // The anchor is after the line's indentation: the indentation stays in the prefix, the code opens the middle.
  assert.equal(show(planner.plan(input('if (a) {\n  retu', '\n}'), [], noBudget).tokens), '<pre>if (a) {\n  <suf>\n}<mid>retu');
  assert.equal(show(planner.plan(input('if (a) {\n  ', '\n}', { documentKey: 'c.ts' }), [], noBudget).tokens), '<pre>if (a) {\n  <suf>\n}<mid>');
  planner.plan(input('a = 1\nb = 4', '\nc = 3\n'), [], noBudget);
  // A new line typed at the anchor stays in the middle.
  const newline = planner.plan(input('a = 1\nb = 4\n', '\nc = 3\n'), next.tokens, noBudget);
  assert.equal(show(newline.tokens), '<pre>a = 1\n<suf>\nc = 3\n<mid>b = 4\n');
});

test('the anchor moves when the suffix changes, when the cursor leaves the anchored text, or when the middle grows long', () => {
  const planner = new PromptPlanner(tokenize, ids, 'psm');
  planner.plan(input('a = 1\nb = ', '\nc = 3\n'), [], noBudget);
  // An auto-closed bracket changes what follows the cursor.
  assert.equal(show(planner.plan(input('a = 1\nb = f(', ')\nc = 3\n'), [], noBudget).tokens), '<pre>a = 1\n<suf>)\nc = 3\n<mid>b = f(');
  // Backspace past the anchor: the text before it is no longer the prompt's.
  assert.equal(show(planner.plan(input('a = ', ')\nc = 3\n'), [], noBudget).tokens), '<pre><suf>)\nc = 3\n<mid>a =');
  const long = 'x'.repeat(maxMiddleChars);
  assert.equal(show(planner.plan(input(`a = ${long}\ny`, ')\nc = 3\n'), [], noBudget).tokens), `<pre>a = ${long}\n<suf>)\nc = 3\n<mid>y`);
  // A line longer than a middle may be (minified code) anchors at the cursor.
  const minified = `q${'y'.repeat(maxMiddleChars + 1)}`;
  assert.equal(show(planner.plan(input(minified, ''), [], noBudget).tokens), `<pre>${minified}<suf><mid>`);
});

test('a small context keeps most of its prompt for the code: the middle gets a quarter of it, and moves the anchor sooner', () => {
  // A 400-token prompt: 100 tokens (250 characters) for the middle, where a 4 000-token one keeps room for maxMiddleChars.
  const planner = new PromptPlanner(tokenize, ids, 'psm');
  const prefix = `${'p'.repeat(600)}\n`;
  const suffix = `\n${'s'.repeat(600)}`;
  const cold = planner.plan(input(`${prefix}b = `, suffix, { budget: 400 }), [], noBudget);
  const stable = cold.tokens.length - 'b ='.length;
  assert.ok(stable >= 290 && stable <= 300, `the window up to the middle takes the other three quarters: ${stable} tokens`);
  assert.ok(show(cold.tokens).includes('<suf>\nsss'), 'with the code after the cursor');
  const typed = `b = ${'x'.repeat(246)}`; // 250 characters: just within its room
  assert.ok(show(planner.plan(input(`${prefix}${typed}`, suffix, { budget: 400 }), [], noBudget).tokens).endsWith(`<mid>${typed}`), 'a middle within its room keeps the anchor');
  const longer = `${typed}\ny`;
  assert.ok(show(planner.plan(input(`${prefix}${longer}`, suffix, { budget: 400 }), [], noBudget).tokens).endsWith('<mid>y'), 'past it, the anchor moves');
  const roomy = new PromptPlanner(tokenize, ids, 'psm');
  roomy.plan(input(`${prefix}b = `, suffix), [], noBudget);
  assert.ok(show(roomy.plan(input(`${prefix}${longer}`, suffix), [], noBudget).tokens).endsWith(`<mid>${longer}`), 'a large context keeps it');
});

test('each document has its own anchor, and a forgotten document starts afresh', () => {
  const planner = new PromptPlanner(tokenize, ids, 'psm');
  planner.plan(input('a\nb', 'S'), [], noBudget);
  planner.plan(input('x\ny', 'T', { documentKey: 'b.ts' }), [], noBudget);
  assert.equal(show(planner.plan(input('a\nbc', 'S'), [], noBudget).tokens), '<pre>a\n<suf>S<mid>bc');
  planner.forget('a.ts');
  assert.equal(show(planner.plan(input('a\nbcd', 'S'), [], noBudget).tokens), '<pre>a\n<suf>S<mid>bcd');
});

test('suffix-first needs no anchor: the prefix is already last', () => {
  const planner = new PromptPlanner(tokenize, ids, 'spm');
  assert.equal(show(planner.plan(input('a = 1\nb = ', '\nc'), [], noBudget).tokens), '<suf>\nc<pre>a = 1\nb = <mid>');
});

test('over the latency budget: a quick prompt near the cursor, no header, and the whole window handed back to warm', () => {
  const planner = new PromptPlanner(tokenize, ids, 'psm');
  const prefix = `${'p'.repeat(300)}\nline `;
  const suffix = `${'s'.repeat(200)}`;
  const header = [-9, -9, -9];
  const cold = planner.plan(input(prefix, suffix, { header }), [], 100);
  assert.equal(cold.full, false);
  assert.ok(cold.tokens.length <= 100, `${cold.tokens.length} tokens fit the budget`);
  assert.ok(!cold.tokens.includes(-9), 'no cross-file header in the quick prompt');
  assert.ok(show(cold.tokens).endsWith('<mid>line'));
  assert.ok(show(cold.warm!).startsWith('<hdr><hdr><hdr><pre>'), 'the warm job is the whole window');
  assert.ok(show(cold.warm!).endsWith(`${suffix}<mid>line`), 'with the middle typed so far');
  // The next keystroke, with the machine measured a little faster: the quick prompt stays put, so it is reused.
  const next = planner.plan(input(`${prefix}x`, suffix, { header }), cold.tokens, 120);
  assert.equal(next.full, false);
  assert.equal(commonPrefixLength(cold.tokens, next.tokens), cold.tokens.length);
  // Once the whole window is warm, it is used.
  const warmed = planner.plan(input(`${prefix}xy`, suffix, { header }), cold.warm!, 100);
  assert.equal(warmed.full, true);
  assert.equal(show(warmed.tokens), `${show(cold.warm!)} xy`);
  assert.equal(warmed.heldBack, '');
  // However slow the machine, the quick prompt shows the model some code.
  const slow = new PromptPlanner(tokenize, ids, 'psm').plan(input(prefix, suffix), [], 1);
  assert.ok(slow.tokens.length >= minQuickTokens - 12, `${slow.tokens.length} tokens: the quick prompt keeps its floor (less one trimming step)`);
});

test('the quick prompt is not used where the whole window costs no more (a small file)', () => {
  const planner = new PromptPlanner(tokenize, ids, 'psm');
  const plan = planner.plan(input('a\nb', 'c'), [], 1);
  assert.equal(plan.full, true);
  assert.equal(plan.warm, undefined);
});

test('suffix-first over the budget: the quick prompt, and the whole prompt to warm', () => {
  const planner = new PromptPlanner(tokenize, ids, 'spm');
  const plan = planner.plan(input('p'.repeat(400), 's'.repeat(100), { header: [-9] }), [], 64);
  assert.equal(plan.full, false);
  assert.ok(plan.tokens.length <= 64);
  assert.ok(show(plan.warm!).startsWith('<hdr><suf>'));
});

test('with the anchor off, prefix-first prompts split at the cursor (what the anchor is measured against)', () => {
  const planner = new PromptPlanner(tokenize, ids, 'psm', false);
  assert.equal(show(planner.plan(input('a = 1\nb = ', '\nc'), [], noBudget).tokens), '<pre>a = 1\nb = <suf>\nc<mid>');
  assert.equal(show(planner.plan(input('a = 1\nb = 4', '\nc'), [], noBudget).tokens), '<pre>a = 1\nb = 4<suf>\nc<mid>');
});

test('anchors are kept for the documents used most recently, not for every document ever opened', () => {
  const planner = new PromptPlanner(tokenize, ids, 'psm');
  planner.plan(input('a\nb', 'S', { documentKey: 'kept.ts' }), [], noBudget);
  planner.plan(input('a\nb', 'S', { documentKey: 'first.ts' }), [], noBudget);
  for (let i = 0; i < 15; i++) {
    planner.plan(input('x\ny', 'T', { documentKey: `other${i}.ts` }), [], noBudget);
    if (i === 7) planner.plan(input('a\nb', 'S', { documentKey: 'kept.ts' }), [], noBudget); // used again: stays
  }
  // Typing a new line at the anchor keeps it in the middle; a document whose anchor was dropped anchors afresh.
  assert.equal(show(planner.plan(input('a\nb\nc', 'S', { documentKey: 'kept.ts' }), [], noBudget).tokens), '<pre>a\n<suf>S<mid>b\nc');
  assert.equal(show(planner.plan(input('a\nb\nc', 'S', { documentKey: 'first.ts' }), [], noBudget).tokens), '<pre>a\nb\n<suf>S<mid>c');
});

test('the quick prompt keeps the definitions first, within their share, then the code nearest the cursor', () => {
  const planner = new PromptPlanner(tokenize, ids, 'psm');
  const prefix = `${'p'.repeat(300)}\nline `;
  const budgets: number[] = [];
  // A header of one '<hdr>' per token of room it is given: what the context stage's files would fill.
  const quickHeader = (budget: number) => {
    budgets.push(budget);
    return Array.from({ length: budget }, () => -9);
  };
  const plan = planner.plan(input(prefix, 's'.repeat(200), { header: [-9, -9], quickHeader }), [], 128);
  assert.equal(plan.full, false);
  assert.ok(plan.tokens.length <= 128, `${plan.tokens.length} tokens fit the budget`);
  // 128 tokens less the 4 of the middle, in steps of 32: a 96-token quick prompt.
  assert.deepEqual(budgets, [Math.floor(96 * quickHeaderShare)], 'the definitions get their share of the quick prompt');
  const shown = show(plan.tokens);
  assert.ok(shown.startsWith('<hdr>'.repeat(budgets[0]!) + '<pre>'), 'definitions come first');
  assert.ok(shown.endsWith('<mid>line'), 'then the code at the cursor');
  assert.ok(/p+\n<suf>s+<mid>/.test(shown), 'with the nearest prefix and suffix in what is left');
  // Without a header builder (a model without the repository-level format) the quick prompt is all code.
  const plain = new PromptPlanner(tokenize, ids, 'psm').plan(input(prefix, 's'.repeat(200)), [], 128);
  assert.ok(!plain.tokens.includes(-9));
});

test('the quick prompt runs on its own sequence: its cache decides its cost, and a warm window wins over it', () => {
  const planner = new PromptPlanner(tokenize, ids, 'psm');
  const prefix = `${'p'.repeat(300)}\nline `;
  const suffix = 's'.repeat(200);
  const cold = planner.plan(input(prefix, suffix), [], 100, []);
  assert.equal(cold.full, false);
  // The window half warm, the quick sequence holding the last quick prompt: the quick prompt again, one token's cost.
  const half = cold.warm!.slice(0, 200);
  const next = planner.plan(input(`${prefix}x`, suffix), half, 100, cold.tokens);
  assert.equal(next.full, false);
  assert.equal(commonPrefixLength(next.tokens, cold.tokens), cold.tokens.length);
  // The window warm: only the keystrokes since are left to evaluate, so the whole window is used whatever the budget.
  const warm = planner.plan(input(`${prefix}xy`, suffix), cold.warm!, 0, next.tokens);
  assert.equal(warm.full, true);
  assert.equal(show(warm.tokens), `${show(cold.warm!)} xy`);
  // A quick prompt that would cost as much as the rest of the window is not worth it.
  const almost = cold.warm!.slice(0, cold.warm!.length - 4);
  assert.equal(planner.plan(input(`${prefix}xyz`, suffix), almost, 1, []).full, true);
});

test('a warm window that lacks the middle typed while quick prompts answered: the quick prompt until the middle is warm too', () => {
  const planner = new PromptPlanner(tokenize, ids, 'psm');
  const prefix = `${'p'.repeat(300)}\nline `;
  const suffix = 's'.repeat(200);
  const cold = planner.plan(input(prefix, suffix), [], 100, []);
  const stable = cold.warm!.slice(0, cold.warm!.length - 'line'.length);
  // 60 characters typed on the quick sequence while the window warmed up to the middle token.
  const typed = `${prefix}${'x'.repeat(60)}`;
  const quickSoFar = planner.plan(input(typed.slice(0, -1), suffix), [], 100, []).tokens;
  const plan = planner.plan(input(typed, suffix), stable, 100, quickSoFar);
  assert.equal(plan.full, false, 'the window would cost the whole middle (65 tokens), the quick prompt one token');
  assert.equal(show(plan.warm!), `${show(stable)}line ${'x'.repeat(60)}`, 'the middle is warmed with the window');
  // Once it is, the whole window again.
  assert.equal(planner.plan(input(`${typed}y`, suffix), plan.warm!, 100, plan.tokens).full, true);
  // Within the budget but far dearer than the quick prompt: the quick one; as cheap as it: the whole window.
  assert.equal(planner.plan(input(`${typed}z`, suffix), stable, 400, plan.tokens).full, false);
  assert.equal(planner.plan(input(`${typed}z`, suffix), stable, 400, []).full, true);
});

test('a kept window saved before the last lines were typed: its anchor is taken again, the lines since as the middle', () => {
  const earlier = new PromptPlanner(tokenize, ids, 'psm');
  const before = `${'p'.repeat(200)}\n  if (a) {\n`;
  const suffix = `\n}\n${'s'.repeat(300)}`;
  const kept = earlier.plan(input(`${before}    `, suffix), [], noBudget).tokens; // the window as it was saved
  // A new session (the file reopened): the user had typed two lines since; the cursor is at the start of the next.
  const typed = 'x = 1;\n    y = 2;\n';
  const planner = new PromptPlanner(tokenize, ids, 'psm');
  const now = input(`${before}    ${typed}    `, suffix);
  assert.equal(planner.plan(now, kept, 10, []).full, false, 'the anchor at the cursor\'s line does not match the kept window');
  assert.equal(planner.adoptCachedAnchor(now, kept), true);
  const plan = planner.plan(now, kept, 10);
  assert.equal(plan.full, true, 'the kept window serves');
  assert.ok(show(plan.tokens).endsWith(`<mid>${typed}`), show(plan.tokens).slice(-40));
  assert.equal(commonPrefixLength(plan.tokens, kept), kept.length);
  // Saved with the cursor at the start of a line (column 0): the anchor before its indentation is found too.
  const atColumn0 = new PromptPlanner(tokenize, ids, 'psm').plan(input(before, suffix), [], noBudget).tokens;
  const indented = input(`${before}    ${typed}    `, suffix);
  const reopened = new PromptPlanner(tokenize, ids, 'psm');
  assert.equal(reopened.adoptCachedAnchor(indented, atColumn0), true);
  assert.ok(show(reopened.plan(indented, atColumn0, 10).tokens).endsWith(`<mid>    ${typed}`));
  // Nothing kept that matches: no anchor is invented.
  assert.equal(new PromptPlanner(tokenize, ids, 'psm').adoptCachedAnchor(now, [1, 2, 3]), false);
  // Lines further back than the middle's reach are not taken.
  const far = input(`${before}    ${'z = 0;\n'.repeat(Math.ceil(maxMiddleChars / 7) + 1)}    `, suffix);
  assert.equal(new PromptPlanner(tokenize, ids, 'psm').adoptCachedAnchor(far, kept), false);
});

test('where the document’s sequence holds the window’s whole header, the quick prompt starts with it, copied rather than evaluated', () => {
  for (const order of ['psm', 'spm'] as const) {
    const planner = new PromptPlanner(tokenize, ids, order);
    const prefix = `${'p'.repeat(300)}\nline `;
    const suffix = 's'.repeat(200);
    const header = Array.from({ length: 60 }, () => -9); // 60 tokens of definitions: more than the quick prompt's share
    const quickHeader = (budget: number) => header.slice(0, budget);
    const at = (text: string) => input(`${prefix}${text}`, suffix, { header, quickHeader, documentKey: `${order}.ts` });
    // The window's warm-up has evaluated the header and a little code; the quick prompts' sequence is empty.
    const cold = planner.plan(at(''), [], 100, []);
    const warmed = cold.warm!.slice(0, header.length + 10);
    const plan = planner.plan(at('x'), warmed, 100, []);
    assert.equal(plan.full, false, order);
    assert.equal(plan.borrow, header.length, `${order}: the header is copied from the document's sequence`);
    assert.equal(commonPrefixLength(plan.tokens, header), header.length, `${order}: every definition the window has`);
    const code = plan.tokens.length - header.length;
    assert.ok(code > 100 / 2 && code <= 100, `${order}: the code at the cursor gets the budget (${code} tokens)`);
    assert.ok(show(plan.tokens).replace(/<mid>$/, '').endsWith('line x'), `${order}: then the code at the cursor: ${show(plan.tokens).slice(-30)}`);
    // The next key: the quick prompts' sequence holds the header now, nothing to copy.
    const next = planner.plan(at('xy'), warmed, 100, plan.tokens);
    assert.equal(next.borrow, undefined, order);
    assert.equal(commonPrefixLength(next.tokens, header), header.length, order);
    // The header not all warm yet: the ordinary quick prompt, its definitions within their share.
    const partial = planner.plan(at('xyz'), cold.warm!.slice(0, header.length - 1), 100, []);
    assert.equal(partial.borrow, undefined, order);
    assert.ok(commonPrefixLength(partial.tokens, header) < header.length, `${order}: only the quick header's share`);
  }
  // Copying off (speculation's token predictors run on the sequences): the ordinary quick prompt.
  const off = new PromptPlanner(tokenize, ids, 'psm', true, false);
  const header = Array.from({ length: 60 }, () => -9);
  const at = input(`${'p'.repeat(300)}\nline `, 's'.repeat(200), { header, quickHeader: (budget) => header.slice(0, budget) });
  const cold = off.plan(at, [], 100, []);
  assert.equal(off.plan(at, cold.warm!.slice(0, 70), 100, []).borrow, undefined);
});
