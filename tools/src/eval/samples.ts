// The eval set's samples (npm run eval, and the context-recall unit test): every reference to a symbol defined in
// another file of a project, with the first lines of its definitions — what "recalled" looks for in the context.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Node } from 'web-tree-sitter';
import { type GrammarName, grammarForPath } from '../../../common/languages';
import type { ContextSnippet } from '../../../server/src/context/contextBuilder';
import { resolveImport } from '../../../server/src/context/importResolution';
import type { IndexedDefinition, WorkspaceIndex } from '../../../server/src/context/workspaceIndex';
import { GrammarRegistry } from '../../../server/src/syntax/grammarRegistry';
import { extractImports } from '../../../server/src/syntax/outline';
import { languageIdForPath } from '../languageIds';

/** Syntax nodes whose identifiers are not samples: imports name the symbol already. */
const importNodes = new Set(['import_statement', 'import_from_statement', 'future_import_statement', 'import_declaration', 'use_declaration', 'preproc_include', 'extern_crate_declaration']);
const identifierNodes = new Set(['identifier', 'type_identifier', 'field_identifier', 'property_identifier']);
/** Nodes whose `name`/`pattern` child is declared there, not referred to (a parameter named like a function elsewhere is no sample). */
const declaringParent = /(declaration|definition|_item|_spec|signature|parameter|declarator|keyword_argument|pattern|_clause)$/;
/** Member accesses and paths: the child named by the field is reached through its owner, so it may name a member. */
const qualifiedBy: Record<string, [member: string, owner: string]> = {
  attribute: ['attribute', 'object'],
  member_expression: ['property', 'object'],
  selector_expression: ['field', 'operand'],
  field_expression: ['field', 'value'],
  scoped_identifier: ['name', 'path'],
  qualified_type: ['name', 'package'],
  scoped_type_identifier: ['name', 'path'],
};

/**
 * How an identifier node is used: declared there, a bare name, or a member reached through an owner (`owner.name`,
 * `owner::name`; the owner's text is given).
 */
export function identifierUse(node: Node): { use: 'declared' | 'bare' } | { use: 'qualified'; owner: string } {
  const parent = node.parent;
  if (!parent || node.text === '_') return { use: 'declared' };
  const fields = qualifiedBy[parent.type];
  if (fields && parent.childForFieldName(fields[0])?.id === node.id) return { use: 'qualified', owner: parent.childForFieldName(fields[1])?.text ?? '' };
  if (node.type === 'field_identifier' || node.type === 'property_identifier') return { use: 'declared' }; // a field's or key's own name
  if (/parameter/.test(parent.type)) return { use: 'declared' };
  for (const name of ['name', 'pattern', 'left']) {
    if (parent.childForFieldName(name)?.id !== node.id) continue;
    if (name !== 'left' ? declaringParent.test(parent.type) : /assignment|for_statement|for_in/.test(parent.type)) return { use: 'declared' };
  }
  return { use: 'bare' };
}

export interface Project {
  name: string;
  root: string;
  language?: string;
  source?: string;
  license?: string;
}

export interface Sample {
  project: string;
  path: string;
  languageId: string;
  line: number;
  symbol: string;
  /** The first line of the symbol's definition in another file: what "recalled" looks for. */
  definitionLines: string[];
  prefix: string;
  middle: string;
  suffix: string;
}

export function sourceFiles(root: string, grammar: GrammarName | undefined): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((name) => !name.split('/').some((part) => part === 'node_modules' || part.startsWith('.')))
    .map((name) => join(root, name))
    .filter((path) => {
      const found = grammarForPath(path);
      return found !== undefined && (grammar === undefined || found === grammar || (grammar === 'typescript' && found === 'tsx'));
    })
    .sort();
}

export async function makeSamples(project: Project, grammars: GrammarRegistry, index: WorkspaceIndex, texts: ReadonlyMap<string, string>, maxSamples: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  const lines = new Map<string, string[]>();
  const linesOf = (path: string) => lines.get(path) ?? lines.set(path, texts.get(path)?.split('\n') ?? []).get(path)!;
  for (const [path, text] of texts) {
    const grammar = await grammars.get(grammarForPath(path)!);
    if (!grammar) continue;
    const tree = GrammarRegistry.parse(grammar, text);
    const definedHere = new Set(index.definitionsIn(path).map((d) => d.name));
    // Names the file imports, by where from: a project file (as the server resolves it) or outside the project (a
    // library, the standard library). A name from outside is no sample even where the project defines the same name.
    const grammarName = grammarForPath(path)!;
    const projectModules = new Set<string>();
    const external = new Set<string>();
    for (const statement of extractImports(tree, grammar)) {
      const resolved = resolveImport(path, statement.source, grammarName, {
        roots: [project.root],
        exists: (p) => index.has(p) || (grammarName === 'go' && index.filesIn(p).length > 0),
        packageFolder: (name) => index.packageFolder(name),
      });
      const names = statement.names.length > 0 ? statement.names : grammarName === 'go' ? [statement.source.split('/').at(-1)!] : [];
      for (const name of names) (resolved ? projectModules : external).add(name);
    }
    // A member is a sample only where its owner is known to be the project's without types: `self`/`this`, a class or
    // type of the project (`Type::new`, `Class.method`), or a module the file imports from the project (`errors.X`, a
    // Go package). On any other value a name match says nothing (`defects.append` is a list's, `s.len()` a string's).
    const namesProjectCode = (owner: string): boolean =>
      !external.has(owner) &&
      (/^(self|this|cls|Self|super)$/.test(owner) ||
        /^(crate|super|self)(::|$)/.test(owner) ||
        projectModules.has(owner) ||
        index.lookup(owner).some((d) => ['class', 'struct', 'type', 'enum', 'interface', 'trait'].includes(d.kind)));
    const seenLines = new Set<number>();
    const visit = (node: Node): void => {
      // Imports, and re-exports (`export { a } from './b'`), name the symbol already.
      if (importNodes.has(node.type) || (node.type === 'export_statement' && node.childForFieldName('source'))) return;
      // One sample per line: the first identifier on it defined elsewhere.
      const use = identifierNodes.has(node.type) && !seenLines.has(node.startPosition.row) && !definedHere.has(node.text) ? identifierUse(node) : { use: 'declared' as const };
      const isSample = use.use === 'bare' ? !external.has(node.text) : use.use === 'qualified' && namesProjectCode(use.owner);
      if (isSample) {
        // A bare name refers to a top-level definition (a method or field is reached through its owner): one that
        // starts its line, not one indented inside a class, impl or function.
        const topLevel = (d: IndexedDefinition) => /^\S/.test(linesOf(d.path)[d.startLine] ?? '');
        // A module's declaration (`pub mod value;`) is not what a use of the name needs.
        const elsewhere = index.lookup(node.text).filter((d) => d.path !== path && d.kind !== 'module' && (use.use === 'qualified' || (topLevel(d) && d.kind !== 'method')));
        if (elsewhere.length > 0) {
          seenLines.add(node.startPosition.row);
          const lineEnd = text.indexOf('\n', node.startIndex);
          const end = lineEnd < 0 ? text.length : lineEnd;
          samples.push({
            project: project.name,
            path,
            languageId: languageIdForPath(path),
            line: node.startPosition.row,
            symbol: node.text,
            definitionLines: elsewhere.map((d) => texts.get(d.path)?.split('\n')[d.startLine]?.trim() ?? '').filter((line) => line.length > 0),
            prefix: text.slice(0, node.startIndex),
            middle: text.slice(node.startIndex, end),
            suffix: text.slice(end),
          });
        }
      }
      for (const child of node.children) if (child) visit(child);
    };
    visit(tree.rootNode);
    tree.delete();
  }
  // Evenly spread when there are more than maxSamples: every file's share kept, nothing chosen by hand.
  if (samples.length <= maxSamples) return samples;
  const step = samples.length / maxSamples;
  return Array.from({ length: maxSamples }, (_, i) => samples[Math.floor(i * step)]!);
}


/** The context holds the first line of one of the symbol's definitions. */
export const recalled = (sample: Sample, snippets: readonly ContextSnippet[]): boolean => sample.definitionLines.some((line) => snippets.some((s) => s.text.includes(line)));

/**
 * What the editor has open while a sample's file is edited: the file and a few of its neighbours in the folder (a few
 * tabs). The open-documents sources (similar snippets) see those, not the whole project.
 */
export function openAround(files: readonly string[], texts: ReadonlyMap<string, string>, path: string): Array<{ uri: string; path: string; text: string }> {
  const at = files.indexOf(path);
  return files.slice(Math.max(0, at - 1), at + 3).map((p) => ({ uri: pathToFileURL(p).href, path: p, text: texts.get(p)! }));
}
