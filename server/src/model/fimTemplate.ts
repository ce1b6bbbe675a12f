// Lays out a fill-in-the-middle prompt from the model's own FIM token ids, within a token budget.

export interface FimTokenIds {
  prefix: number;
  suffix: number;
  /** Absent for families that have none (Codestral: `[SUFFIX]S[PREFIX]P`, suffix-first only). */
  middle?: number;
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
  /** Tokens laid out before the FIM part (the repository-level context header); they count against the budget. */
  header?: readonly number[];
}

export interface RepoTokenIds {
  repoName: number;
  fileSeparator: number;
}

/**
 * The repository-level header of StarCoder/Qwen-style FIM models (and llama.cpp's /infill):
 * `<repo_name>name\n<file_sep>path\ncode\n…<file_sep>current path\n`, then the FIM prompt. Files that do not fit
 * within what is left of `budget` tokens are left out.
 */
export function layoutRepoHeader(files: ReadonlyArray<{ path: string; text: string }>, currentPath: string, ids: RepoTokenIds, tokenize: (text: string) => readonly number[], budget: number): number[] {
  const start = [ids.repoName, ...tokenize('workspace\n')];
  const end = [ids.fileSeparator, ...tokenize(`${currentPath}\n`)];
  const header = [...start];
  for (const file of files) {
    const tokens = [ids.fileSeparator, ...tokenize(`${file.path}\n${file.text}\n`)];
    if (header.length + tokens.length + end.length > budget) continue; // a smaller file further on may still fit
    header.push(...tokens);
  }
  return header.length === start.length ? [] : [...header, ...end];
}

/**
 * The repository-level header within a small budget (the quick prompt's share): the signatures of the snippets (their
 * first lines: a call needs the name and the parameters, not the body), in the order the context stage ranked them (a
 * file's snippets in `parts`, most valuable first), each that fits taken, so the definitions the cursor needs most come
 * first; a file's snippets stay under one file separator.
 */
export function layoutQuickRepoHeader(
  files: ReadonlyArray<{ path: string; text: string; parts?: readonly string[] }>,
  currentPath: string,
  ids: RepoTokenIds,
  tokenize: (text: string) => readonly number[],
  budget: number,
): number[] {
  return layoutRepoHeader(fitParts(files, currentPath, (text) => tokenize(text).length, budget, firstLine), currentPath, ids, tokenize, budget);
}

/** The files cut to the snippets that fit `budget` in the header, in order; files left with none are left out. */
export function fitParts(
  files: ReadonlyArray<{ path: string; text: string; parts?: readonly string[] }>,
  currentPath: string,
  /** Tokens in a text, by the model's tokenizer. */
  count: (text: string) => number,
  budget: number,
  /** What of each snippet goes in (all of it unless told). */
  shorten: (part: string) => string = (part) => part,
): Array<{ path: string; text: string }> {
  // Fixed costs: the header's start and end, and each file's separator and path line.
  let left = budget - 1 - count('workspace\n') - 1 - count(`${currentPath}\n`);
  const fitted: Array<{ path: string; text: string }> = [];
  for (const file of files) {
    // The separator, the path line and the newline after the text, and 2 tokens of slack: tokens can merge across the
    // joins, and a file the header's own check finds a token over would be left out whole.
    const overhead = 1 + count(`${file.path}\n`) + 1 + 2;
    const kept: string[] = [];
    for (const part of (file.parts ?? [file.text]).map(shorten)) {
      if (kept.includes(part)) continue;
      const cost = count(kept.length === 0 ? part : `\n\n${part}`) + (kept.length === 0 ? overhead : 0);
      if (cost > left) continue; // a smaller snippet further on may still fit
      kept.push(part);
      left -= cost;
    }
    if (kept.length > 0) fitted.push({ path: file.path, text: kept.join('\n\n') });
  }
  return fitted;
}

/** An over-long prefix loses its first tokens in steps of this many (a quarter of its room when that is less), so its start stays put while the user types. */
export const prefixTrimStep = 64;

/**
 * Keeps the end of the prefix and the start of the suffix. The suffix gets at most a quarter of the budget
 * (the text just before the cursor matters most); what the suffix does not use goes to the prefix. The prefix is
 * cut from the front in whole steps, so consecutive prompts share their start and the KV cache stays valid.
 */
export function layoutFimPrompt({ prefixTokens, suffixTokens, ids, order, budget, header = [] }: FimLayoutInput): number[] {
  const room = Math.max(0, budget - header.length - 3);
  const suffixCount = Math.min(suffixTokens.length, Math.floor(room / 4));
  const prefixRoom = room - suffixCount;
  const excess = prefixTokens.length - prefixRoom;
  const step = Math.max(1, Math.min(prefixTrimStep, Math.floor(prefixRoom / 4)));
  const dropped = excess > 0 ? Math.min(prefixTokens.length, Math.ceil(excess / step) * step) : 0;
  const prefix = prefixTokens.slice(dropped);
  const suffix = suffixTokens.slice(0, suffixCount);
  const middle = ids.middle === undefined ? [] : [ids.middle];
  return order === 'psm'
    ? [...header, ids.prefix, ...prefix, ids.suffix, ...suffix, ...middle]
    : [...header, ids.suffix, ...suffix, ids.prefix, ...prefix, ...middle];
}

/**
 * A snippet's signature: its first line of code (comments, doc comments and decorators passed over), without leading
 * indentation.
 */
export function firstLine(part: string): string {
  const lines = part.split('\n').map((line) => line.trim());
  return lines.find((line) => line !== '' && !/^(?:\/\/|\/\*|\*|#(?!include)|@|--|""")/.test(line)) ?? lines.find((line) => line !== '') ?? '';
}
