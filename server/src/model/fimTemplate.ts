// Lays out a fill-in-the-middle prompt from the model's own FIM token ids, within a token budget.

export interface FimTokenIds {
  prefix: number;
  suffix: number;
  middle: number;
}

/** psm: <pre>P<suf>S<mid> (the common layout); spm: <suf>S<pre>P<mid>, where typing only changes the end. */
export type FimOrder = 'psm' | 'spm';

export interface FimLayoutInput {
  prefixTokens: readonly number[];
  suffixTokens: readonly number[];
  ids: FimTokenIds;
  order: FimOrder;
  /** Most tokens the whole prompt may take, FIM tokens included. */
  budget: number;
}

/**
 * Keeps the end of the prefix and the start of the suffix. The suffix gets at most a quarter of the budget
 * (the text just before the cursor matters most); what the suffix does not use goes to the prefix.
 */
export function layoutFimPrompt({ prefixTokens, suffixTokens, ids, order, budget }: FimLayoutInput): number[] {
  const room = Math.max(0, budget - 3);
  const suffixCount = Math.min(suffixTokens.length, Math.floor(room / 4));
  const prefixCount = Math.min(prefixTokens.length, room - suffixCount);
  const prefix = prefixTokens.slice(prefixTokens.length - prefixCount);
  const suffix = suffixTokens.slice(0, suffixCount);
  return order === 'psm'
    ? [ids.prefix, ...prefix, ids.suffix, ...suffix, ids.middle]
    : [ids.suffix, ...suffix, ids.prefix, ...prefix, ids.middle];
}
