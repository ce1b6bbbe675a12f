// One parser and one set of compiled queries per grammar, loaded on first use from grammars/ (shipped beside dist/).
// A grammar that fails to load is reported once and its language falls back to plain-text context.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Language, Parser, Query, type Tree } from 'web-tree-sitter';
import type { Logger } from '../logger';
import type { GrammarName } from '../../../common/languages';

export interface Grammar {
  name: GrammarName;
  language: Language;
  parser: Parser;
  imports: Query;
  definitions: Query;
  scopes: Query;
}

/** TSX is TypeScript with JSX: the same node names, so the same queries. */
const queriesOf: Partial<Record<GrammarName, GrammarName>> = { tsx: 'typescript' };

export class GrammarRegistry {
  private runtime: Promise<void> | undefined;
  private readonly grammars = new Map<GrammarName, Promise<Grammar | undefined>>();

  constructor(
    private readonly grammarsDir: string,
    private readonly log?: Logger,
  ) {}

  /** The grammar, loading it on first use; undefined when it cannot be loaded. */
  get(name: GrammarName): Promise<Grammar | undefined> {
    let grammar = this.grammars.get(name);
    if (!grammar) {
      grammar = this.load(name).catch((error: unknown) => {
        this.log?.warn(`Tree-sitter grammar ${name} not used (plain-text context instead): ${(error as Error).message}`);
        return undefined;
      });
      this.grammars.set(name, grammar);
    }
    return grammar;
  }

  /** Parses `text`, reusing `previous` (already edited to match) for an incremental parse. */
  static parse(grammar: Grammar, text: string, previous?: Tree): Tree {
    const tree = grammar.parser.parse(text, previous);
    if (!tree) throw new Error(`tree-sitter returned no tree for ${grammar.name}`);
    return tree;
  }

  /** A query file, with the files it names in a first line `; inherits: a,b` put before it (tree-sitter's convention). */
  private async querySource(name: string, kind: string): Promise<string> {
    const source = await readFile(join(this.grammarsDir, 'queries', name, `${kind}.scm`), 'utf8');
    const inherits = source.match(/^; inherits: *([\w,]+)/);
    if (!inherits) return source;
    const parents = await Promise.all(inherits[1]!.split(',').map((parent) => this.querySource(parent, kind)));
    return [...parents, source].join('\n');
  }

  private async load(name: GrammarName): Promise<Grammar> {
    this.runtime ??= Parser.init();
    await this.runtime;
    const language = await Language.load(join(this.grammarsDir, 'wasm', `tree-sitter-${name}.wasm`));
    const queries = queriesOf[name] ?? name;
    const query = async (kind: string) => new Query(language, await this.querySource(queries, kind));
    const parser = new Parser();
    parser.setLanguage(language);
    return { name, language, parser, imports: await query('imports'), definitions: await query('definitions'), scopes: await query('scopes') };
  }
}
