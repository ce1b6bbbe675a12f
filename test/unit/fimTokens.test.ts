import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findFimTokens } from '../../server/src/model/fimTokens';

const vocabulary = (...special: string[]) => ['a', 'b', ...special, 'c'];
const metadata = (tokens: string[], ggml: Record<string, unknown> = {}) => ({ tokenizer: { ggml: { tokens, ...ggml } } });

test('the GGUF keys come first, with the repository-level keys', () => {
  const found = findFimTokens(metadata(vocabulary('x', 'y', 'z'), { fim_pre_token_id: 2, fim_suf_token_id: 3, fim_mid_token_id: 4, fim_rep_token_id: 0, fim_sep_token_id: 1 }))!;
  assert.deepEqual(found.ids, { prefix: 2, suffix: 3, middle: 4 });
  assert.deepEqual(found.repo, { repoName: 0, fileSeparator: 1 });
  assert.match(found.source, /metadata keys/);
  const older = findFimTokens(metadata(vocabulary('x', 'y', 'z'), { prefix_token_id: 2, suffix_token_id: 3, middle_token_id: 4 }))!;
  assert.deepEqual(older.ids, { prefix: 2, suffix: 3, middle: 4 }, 'the older key names');
});

test('without keys, each family is found by its token texts', () => {
  const cases: Array<[string[], { prefix: number; suffix: number; middle?: number }, RegExp]> = [
    [vocabulary('<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>'), { prefix: 2, suffix: 3, middle: 4 }, /Qwen/],
    [vocabulary('<fim_prefix>', '<fim_middle>', '<fim_suffix>'), { prefix: 2, suffix: 4, middle: 3 }, /StarCoder/],
    [vocabulary('<fim-prefix>', '<fim-suffix>', '<fim-middle>'), { prefix: 2, suffix: 3, middle: 4 }, /StarCoder/],
    [vocabulary('<｜fim▁begin｜>', '<｜fim▁hole｜>', '<｜fim▁end｜>'), { prefix: 2, suffix: 3, middle: 4 }, /DeepSeek/],
    [vocabulary('▁<PRE>', '▁<SUF>', '▁<MID>'), { prefix: 2, suffix: 3, middle: 4 }, /CodeLlama/],
    [vocabulary('[SUFFIX]', '[PREFIX]'), { prefix: 3, suffix: 2 }, /Codestral/],
  ];
  for (const [tokens, ids, family] of cases) {
    const found = findFimTokens(metadata(tokens))!;
    assert.ok(found, tokens.join(' '));
    assert.deepEqual(found.ids, ids, tokens.join(' '));
    assert.match(found.source, family);
    assert.equal(found.suffixFirstOnly, ids.middle === undefined);
  }
});

test('repository-level tokens by text: Qwen, StarCoder; CodeGemma has a separator but no repository token', () => {
  assert.deepEqual(findFimTokens(metadata(vocabulary('<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>', '<|repo_name|>', '<|file_sep|>')))!.repo, { repoName: 5, fileSeparator: 6 });
  assert.deepEqual(findFimTokens(metadata(vocabulary('<fim_prefix>', '<fim_suffix>', '<fim_middle>', '<reponame>', '<file_sep>')))!.repo, { repoName: 5, fileSeparator: 6 });
  assert.equal(findFimTokens(metadata(vocabulary('<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>', '<|file_separator|>')))!.repo, undefined);
});

test('prefix and suffix keys without a middle key: suffix-first only, unless the vocabulary has a middle token', () => {
  const codestral = findFimTokens(metadata(vocabulary('[SUFFIX]', '[PREFIX]'), { fim_pre_token_id: 3, fim_suf_token_id: 2 }))!;
  assert.deepEqual(codestral.ids, { prefix: 3, suffix: 2 });
  assert.equal(codestral.suffixFirstOnly, true);
  const withMiddle = findFimTokens(metadata(vocabulary('<PRE>', '<SUF>', '<MID>'), { fim_pre_token_id: 2, fim_suf_token_id: 3 }))!;
  assert.deepEqual(withMiddle.ids, { prefix: 2, suffix: 3, middle: 4 });
  assert.equal(withMiddle.suffixFirstOnly, false);
});

test('no FIM tokens, half a family, or ids outside the vocabulary: none found', () => {
  assert.equal(findFimTokens(metadata(vocabulary())), undefined);
  assert.equal(findFimTokens(metadata(vocabulary('<|fim_prefix|>', '<|fim_suffix|>'))), undefined, 'Qwen without its middle token');
  assert.equal(findFimTokens(metadata(vocabulary(), { fim_pre_token_id: 2, fim_suf_token_id: 3, fim_mid_token_id: 99 })), undefined);
  assert.equal(findFimTokens({}), undefined);
});
