// Where a model's fill-in-the-middle tokens are: the GGUF metadata keys when the conversion wrote them, else the
// token texts each model family uses, found in the vocabulary (as llama.cpp does at load; many conversions of
// StarCoder, DeepSeek-Coder, CodeLlama and CodeGemma predate the keys). Codestral's [SUFFIX]/[PREFIX] have no middle
// token and are suffix-first; llama.cpp does not look for them, Hearth does. The repository-level tokens too, where
// the family has them.
import type { FimTokenIds, RepoTokenIds } from './fimTemplate';

type Metadata = Record<string, unknown>;

export interface FoundFimTokens {
  ids: FimTokenIds;
  repo: RepoTokenIds | undefined;
  /** How they were found, in words (for the log and the model's info). */
  source: string;
  /** Suffix-first only: the family has no middle token. */
  suffixFirstOnly: boolean;
}

interface Family {
  name: string;
  prefix: readonly string[];
  suffix: readonly string[];
  middle?: readonly string[];
  repo?: readonly string[];
  separator?: readonly string[];
}

/** Token texts per family, in the order they are tried. */
export const fimFamilies: readonly Family[] = [
  { name: 'Qwen2.5-Coder / CodeGemma', prefix: ['<|fim_prefix|>'], suffix: ['<|fim_suffix|>'], middle: ['<|fim_middle|>'], repo: ['<|repo_name|>', '<|fim_repo|>'], separator: ['<|file_sep|>', '<|file_separator|>'] },
  { name: 'StarCoder / Granite', prefix: ['<fim_prefix>', '<fim-prefix>'], suffix: ['<fim_suffix>', '<fim-suffix>'], middle: ['<fim_middle>', '<fim-middle>'], repo: ['<reponame>', '<fim-repo>'], separator: ['<file_sep>'] },
  { name: 'DeepSeek-Coder', prefix: ['<｜fim▁begin｜>'], suffix: ['<｜fim▁hole｜>'], middle: ['<｜fim▁end｜>'] },
  { name: 'CodeLlama', prefix: ['▁<PRE>', '<PRE>'], suffix: ['▁<SUF>', '<SUF>'], middle: ['▁<MID>', '<MID>'] },
  { name: 'Codestral', prefix: ['[PREFIX]'], suffix: ['[SUFFIX]'] },
];

/** A value of parsed GGUF metadata by its dotted key (`tokenizer.ggml.tokens`). */
export function lookup(metadata: Metadata, dottedKey: string): unknown {
  let node: unknown = metadata;
  for (const part of dottedKey.split('.')) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

const idAt = (metadata: Metadata, key: string): number | undefined => {
  const value = lookup(metadata, `tokenizer.ggml.${key}`);
  return typeof value === 'number' ? value : undefined;
};

/** The FIM tokens of a model from its GGUF metadata (node-llama-cpp's parsed form); undefined when it has none. */
export function findFimTokens(metadata: Metadata): FoundFimTokens | undefined {
  const tokens = lookup(metadata, 'tokenizer.ggml.tokens');
  const vocabulary = Array.isArray(tokens) ? (tokens as unknown[]) : [];
  const index = new Map<string, number>();
  const find = (texts: readonly string[] | undefined) => {
    if (!texts) return undefined;
    if (index.size === 0) vocabulary.forEach((text, id) => typeof text === 'string' && !index.has(text) && index.set(text, id));
    for (const text of texts) {
      const id = index.get(text);
      if (id !== undefined) return id;
    }
    return undefined;
  };
  const valid = (id: number | undefined) => (id !== undefined && id >= 0 && (vocabulary.length === 0 || id < vocabulary.length) ? id : undefined);
  const metadataRepo = (): RepoTokenIds | undefined => {
    const repoName = valid(idAt(metadata, 'fim_rep_token_id'));
    const fileSeparator = valid(idAt(metadata, 'fim_sep_token_id'));
    return repoName !== undefined && fileSeparator !== undefined ? { repoName, fileSeparator } : undefined;
  };
  for (const keys of [
    ['fim_pre_token_id', 'fim_suf_token_id', 'fim_mid_token_id'],
    ['prefix_token_id', 'suffix_token_id', 'middle_token_id'],
  ] as const) {
    const [prefix, suffix, middle] = keys.map((key) => valid(idAt(metadata, key)));
    if (prefix !== undefined && suffix !== undefined && middle !== undefined) {
      return { ids: { prefix, suffix, middle }, repo: metadataRepo() ?? vocabularyRepo(find), source: 'the GGUF metadata keys', suffixFirstOnly: false };
    }
  }
  // Prefix and suffix keys without a middle one (how Codestral is converted): the middle token of the family whose
  // prefix text that is, if it has one; else a suffix-first family without a middle token.
  const prefix = valid(idAt(metadata, 'fim_pre_token_id'));
  const suffix = valid(idAt(metadata, 'fim_suf_token_id'));
  if (prefix !== undefined && suffix !== undefined) {
    const family = fimFamilies.find((f) => f.prefix.includes(vocabulary[prefix] as string));
    const middle = find(family?.middle);
    return {
      ids: { prefix, suffix, ...(middle === undefined ? {} : { middle }) },
      repo: metadataRepo() ?? vocabularyRepo(find),
      source: middle === undefined ? 'the GGUF metadata keys (no middle token)' : 'the GGUF metadata keys, the middle token by its text',
      suffixFirstOnly: middle === undefined,
    };
  }
  for (const family of fimFamilies) {
    const prefix = find(family.prefix);
    const suffix = find(family.suffix);
    const middle = find(family.middle);
    if (prefix === undefined || suffix === undefined || (family.middle && middle === undefined)) continue;
    const repoName = find(family.repo);
    const fileSeparator = find(family.separator);
    return {
      ids: { prefix, suffix, ...(middle === undefined ? {} : { middle }) },
      repo: metadataRepo() ?? (repoName !== undefined && fileSeparator !== undefined ? { repoName, fileSeparator } : undefined),
      source: `${family.name} token texts in the vocabulary (the GGUF has no FIM keys)`,
      suffixFirstOnly: middle === undefined,
    };
  }
  return undefined;
}

function vocabularyRepo(find: (texts: readonly string[] | undefined) => number | undefined): RepoTokenIds | undefined {
  for (const family of fimFamilies) {
    const repoName = find(family.repo);
    const fileSeparator = find(family.separator);
    if (repoName !== undefined && fileSeparator !== undefined) return { repoName, fileSeparator };
  }
  return undefined;
}
