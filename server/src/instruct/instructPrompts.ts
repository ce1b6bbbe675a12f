// Explain and refactor prompts: the code, the scopes around it, the definitions it uses from other files (the
// context stage's snippets) and, for explain, the problem reported at the cursor. Each as chat messages and as a
// plain Markdown document for models without a chat template; the refactor document ends inside an opened code
// fence, so that a plain code model's natural continuation is the rewritten code.
import type { InstructPrompt } from '../model/completionModel';

export interface InstructInput {
  code: string;
  languageId: string;
  /** Workspace-relative path, or the document's name. */
  path: string;
  /** First lines of the scopes around the code, outermost first. */
  outerHeaders: readonly string[];
  /** Code from other files the code uses, within the budget. */
  context: ReadonlyArray<{ path: string; text: string }>;
}

export const explainSystem = 'You are Hearth, a code assistant that runs on the developer’s own machine. Explain code accurately and concisely in Markdown: what it does, how, and anything surprising. Do not repeat the code back.';
export const refactorSystem =
  'You are Hearth, a code assistant that runs on the developer’s own machine. Rewrite the code as the instruction asks, keeping its behaviour unless told otherwise. Answer with the complete rewritten code in a single fenced code block and nothing else.';

const fenced = (languageId: string, code: string) => `\`\`\`${languageId}\n${code}\n\`\`\``;

function contextSection(input: InstructInput): string {
  if (input.context.length === 0) return '';
  return `\n\nDefinitions it uses from other files:\n\n${input.context.map((file) => `${file.path}:\n${fenced(input.languageId, file.text.trimEnd())}`).join('\n\n')}`;
}

function whereSection(input: InstructInput): string {
  return input.outerHeaders.length > 0 ? `\nIt sits inside:\n${fenced(input.languageId, input.outerHeaders.join('\n'))}\n` : '';
}

export function explainPrompt(input: InstructInput, diagnostics: readonly string[] = []): InstructPrompt {
  const problem = diagnostics.length > 0 ? ` The editor reports this problem in it; explain its cause and how to fix it:\n${diagnostics.map((d) => `- ${d}`).join('\n')}\n` : '';
  const user = `Explain this ${input.languageId} code from ${input.path}.${problem}\n${whereSection(input)}\n${fenced(input.languageId, input.code)}${contextSection(input)}`;
  const reported = diagnostics.length > 0 ? `The editor reports:\n${diagnostics.map((d) => `- ${d}`).join('\n')}\n\n` : '';
  const heading = diagnostics.length > 0 ? 'What this code does, why the editor reports that, and how to fix it' : 'What this code does';
  const plain = `${plainContext(input)}# ${input.path}\n\n${fenced(input.languageId, input.code)}\n\n${reported}## ${heading}\n\n`;
  return { system: explainSystem, user, plain };
}

export function refactorPrompt(input: InstructInput, instruction: string): InstructPrompt {
  const user = `Instruction: ${instruction}\n\nRewrite this ${input.languageId} code from ${input.path}:\n${whereSection(input)}\n${fenced(input.languageId, input.code)}${contextSection(input)}`;
  const plain = `${plainContext(input)}# ${input.path}\n\nBefore:\n\n${fenced(input.languageId, input.code)}\n\nAfter (${instruction.replace(/\n/g, ' ')}):\n\n\`\`\`${input.languageId}\n`;
  return { system: refactorSystem, user, plain };
}

function plainContext(input: InstructInput): string {
  return input.context.map((file) => `# ${file.path}\n\n${fenced(input.languageId, file.text.trimEnd())}\n\n`).join('');
}
