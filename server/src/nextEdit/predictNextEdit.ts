// One next-edit prediction: the prompt (nextEditPrompt.ts) in the model's tokens, fitted to its context, generated
// under the shared lock, and read as it streams: once the answer has changed a line and come back to the block for
// `settledLines` lines, the edit is known and the generation stops there — the rest of the block would be written
// out unchanged, at a decode step a token.
import type { NextEditModel } from '../model/completionModel';
import { editFromAnswer, type LineEdit } from './answerEdit';
import { blockAround, buildNextEditPrompt, cursorMarker, type EditableBlock, fileSep, type NextEditInput, type NextEditPrompt, type PromptPart } from './nextEditPrompt';

/** Lines the answer must agree with the block after its change before the generation stops early. */
export const settledLines = 2;

export interface NextEditResult {
  /** The suggestion, or null: none, or nothing worth showing. */
  edit: LineEdit | null;
  /** The lines the edit replaces, as they were when asked (a suggestion whose lines changed since is stale). */
  replaced: string[];
  /** What the model wrote after the prompt, as far as it was read. */
  answer: string;
  promptTokens: number;
  reusedPromptTokens: number;
  generatedTokens: number;
  /** Times it paused to let a completion through. */
  preemptions: number;
  /** Whether the model ended the block itself, or the generation stopped early once the edit was known. */
  ended: 'block' | 'settled' | 'limit' | 'cancelled';
}

/** The prompt's parts in the model's tokens: each marker as its special token, the text as text. */
export function promptTokens(parts: readonly PromptPart[], model: Pick<NextEditModel, 'tokenize'>): number[] {
  return parts.flatMap((part) => ('special' in part ? model.tokenize(part.special, true) : model.tokenize(part.text, false)));
}

/** Whether a marker is one special token for this model (a vocabulary without it reads its characters). */
export function markerIsSpecial(model: Pick<NextEditModel, 'tokenize'>, marker: typeof fileSep | typeof cursorMarker): boolean {
  return model.tokenize(marker, true).length === 1;
}

/**
 * The prompt with as much context as the model's context leaves room for beside the answer: the whole ~300-line
 * file section and every retrieval chunk where they fit, else less file around the cursor, then no chunks.
 */
export function fitPrompt(input: NextEditInput, model: Pick<NextEditModel, 'tokenize' | 'contextTokens'>, answerTokens: number): { prompt: NextEditPrompt; tokens: number[] } {
  const room = model.contextTokens - answerTokens;
  let fitted: { prompt: NextEditPrompt; tokens: number[] } | undefined;
  for (const retrieval of [input.retrieval, undefined]) {
    for (const fileLinesAround of [150, 60, 20, 0]) {
      const prompt = buildNextEditPrompt({ ...input, retrieval, fileLinesAround });
      fitted = { prompt, tokens: promptTokens(prompt.parts, model) };
      if (fitted.tokens.length <= room) return fitted;
    }
  }
  throw new Error(`The next-edit prompt takes ${fitted!.tokens.length} tokens even without context, more than the model's ${model.contextTokens} leave for a ${answerTokens}-token answer.`);
}

export async function predictNextEdit(model: NextEditModel, input: NextEditInput, signal: AbortSignal): Promise<NextEditResult> {
  // The answer is the block rewritten: about its own length, and some room for lines it adds.
  const { start, end } = blockAround(input.edits.current.length, input.cursor.line);
  const blockText = input.edits.current.slice(start, end).join('\n');
  const answerTokens = Math.ceil(model.tokenize(blockText, false).length * 1.5) + 16;
  const { prompt, tokens } = fitPrompt(input, model, answerTokens);
  const stops = [model.tokenize(fileSep, true)];
  const run = model.predict({ tokens, stops, maxTokens: answerTokens, signal });
  let answer = '';
  let ended: NextEditResult['ended'] = 'block';
  for await (const token of run.tokens) {
    answer += token.text;
    if (!token.text.includes('\n')) continue;
    // A whole line more: if the answer has made its change and agrees with the block again, the edit is known.
    const edit = editFromAnswer(prompt.block, answer.slice(0, answer.lastIndexOf('\n') + 1), false);
    if (edit && agreesAfter(prompt.block, answer, edit.startLine - prompt.block.start, settledLines)) {
      ended = 'settled';
      break;
    }
  }
  const stats = await run.done;
  if (signal.aborted) ended = 'cancelled';
  else if (ended === 'block' && stats.generatedTokens >= answerTokens) ended = 'limit';
  const edit = ended === 'cancelled' ? null : editFromAnswer(prompt.block, answer, ended === 'block');
  const replaced = edit ? prompt.block.lines.slice(edit.startLine - prompt.block.start, edit.endLine - prompt.block.start) : [];
  return { edit, replaced: [...replaced], answer, promptTokens: stats.promptTokens, reusedPromptTokens: stats.reusedPromptTokens ?? 0, generatedTokens: stats.generatedTokens, preemptions: stats.preemptions, ended };
}

/**
 * Whether the updated block's last `count` whole lines (the prefill, then the answer) are lines of the block, in order
 * and none of them blank, past the change that starts at line `changeAt` of the block.
 */
function agreesAfter(block: EditableBlock, answer: string, changeAt: number, count: number): boolean {
  const updated = [...block.lines.slice(0, block.prefillLines), ...answer.slice(0, answer.lastIndexOf('\n')).split('\n')];
  if (updated.length - changeAt < count + 1) return false;
  const tail = updated.slice(-count);
  const at = block.lines.lastIndexOf(tail.at(-1)!);
  return at >= count - 1 && tail.every((line, i) => block.lines[at - count + 1 + i] === line && line.trim() !== '');
}
