// Explain and refactor over LSP (hearth/instruct, streamed as hearth/instructProgress) and hearth/lastInstructPrompt:
// the instruct service on the engines' text model, the syntax stage's scopes and the workspace's definitions.
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Connection, TextDocuments } from 'vscode-languageserver/node';
import { grammarForLanguage } from '../../../common/languages';
import { LastInstructPromptRequest } from '../../../common/protocol';
import type { ContextFor } from '../context/workspaceContextFeature';
import type { Feature } from '../feature';
import type { Logger } from '../logger';
import type { TextModelSource } from '../model/waitForModel';
import type { DocumentTrees } from '../syntax/documentTrees';
import type { GrammarRegistry } from '../syntax/grammarRegistry';
import { enclosingScopes } from '../syntax/outline';
import { InstructService } from './instructService';

export interface InstructParts {
  connection: Pick<Connection, 'onRequest' | 'sendNotification'>;
  documents: Pick<TextDocuments<TextDocument>, 'get'>;
  models: TextModelSource;
  grammars: GrammarRegistry;
  trees: DocumentTrees;
  context: ContextFor;
  log: Logger;
}

export function instructFeature({ connection, documents, models, grammars, trees, context, log }: InstructParts): Feature {
  new InstructService({
    ...models,
    document: (uri) => documents.get(uri),
    scopes: async (document, offset) => {
      const name = grammarForLanguage(document.languageId);
      const grammar = name && (await grammars.get(name));
      if (!grammar) return [];
      const tree = trees.treeFor(document.uri, grammar, document.getText());
      if (!tree) return [];
      return enclosingScopes(tree, grammar, offset).map((node) => ({ start: node.startIndex, end: node.endIndex }));
    },
    context: (document, offset, budget) => context({ uri: document.uri, languageId: document.languageId, text: document.getText(), offset }, budget),
    log,
  }).listen(connection);
  connection.onRequest(LastInstructPromptRequest.type, () => models.model()?.lastInstructPrompt() ?? null);
  return {};
}
