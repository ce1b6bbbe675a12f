// The completion pipeline's environment, assembled one way for the server and for the eval (tools/src/eval.ts), so
// that the eval measures the stages users get: the documents as the editor has them, the syntax stage on the grammars
// and the documents' parse trees, and the context stage where one is given.
import { grammarForLanguage } from '../../../common/languages';
import type { HearthSettings } from '../../../common/settings';
import type { CompletionModel } from '../model/completionModel';
import { multiLineAllowed, stopWhenOpenedBlockEnds } from '../syntax/completionShape';
import type { DocumentTrees } from '../syntax/documentTrees';
import { GrammarRegistry } from '../syntax/grammarRegistry';
import type { CompletionCache } from './completionCache';
import type { CompletionEnvironment } from './completionPipeline';

export interface EnvironmentParts {
  settings(): HearthSettings;
  model(): CompletionModel | undefined;
  /** The open documents by URI (the server's TextDocuments, or the eval's one sample). */
  documents: { get(uri: string): { version: number; getText(): string } | undefined };
  grammars: GrammarRegistry;
  trees: DocumentTrees;
  cache: CompletionCache;
  keepGoing: boolean;
  /** Marks the server busy for the status bar; nothing where no one shows it. */
  beginGeneration?(): () => void;
  /** The context stage; absent: no code from other files. */
  context?: CompletionEnvironment['context'];
}

export function completionEnvironment(parts: EnvironmentParts): Omit<CompletionEnvironment, 'onFirstLine'> {
  const { documents, grammars, trees } = parts;
  return {
    settings: () => parts.settings(),
    model: () => parts.model(),
    isCurrent: (uri, version) => documents.get(uri)?.version === version,
    currentText: (uri) => documents.get(uri)?.getText(),
    beginGeneration: () => parts.beginGeneration?.() ?? (() => undefined),
    cache: parts.cache,
    keepGoing: parts.keepGoing,
    context: parts.context,
    syntax: async (request) => {
      const name = grammarForLanguage(request.languageId);
      const grammar = name && (await grammars.get(name));
      if (!grammar) return undefined; // plain rules for languages without a grammar
      const tree = trees.treeFor(request.uri, grammar, request.text);
      if (!tree) return undefined; // too long to parse: plain rules
      return {
        multiLine: multiLineAllowed(tree, request.text, request.offset),
        blockEndRule: (prefix) => stopWhenOpenedBlockEnds(prefix, (text) => GrammarRegistry.parse(grammar, text)),
      };
    },
  };
}
