// The remote engine's prompt: the same KV-friendly layout as the local engine (PromptPlanner's anchored
// prefix-first order, or suffix-first), written as text with the model's FIM markers, because the server tokenizes
// what it is sent. The planner works in a unit it is given; here that unit is a code point, so trimming never splits
// a character and the stable part of the prompt is byte-identical from keystroke to keystroke: the server's prompt
// cache (llama-server's cache_prompt) then evaluates only what changed.
import type { RemoteFimFormat } from '../../../common/settings';
import { type FimOrder, layoutRepoHeader } from '../model/fimTemplate';
import { PromptPlanner } from '../model/promptPlanner';

/** A model family's FIM markers as text (each one special token in the model's vocabulary). */
export interface FimMarkers {
  family: Exclude<RemoteFimFormat, 'auto'>;
  prefix: string;
  suffix: string;
  /** Absent for suffix-first-only families (Codestral). */
  middle?: string;
  /** Repository-level markers, where the family has them. */
  repoName?: string;
  fileSeparator?: string;
  /** The order the family was trained on that Hearth uses (see the brief: Qwen2.5-Coder is prefix-first). */
  order: FimOrder;
}

export const fimMarkers: Readonly<Record<Exclude<RemoteFimFormat, 'auto'>, FimMarkers>> = {
  qwen: { family: 'qwen', prefix: '<|fim_prefix|>', suffix: '<|fim_suffix|>', middle: '<|fim_middle|>', repoName: '<|repo_name|>', fileSeparator: '<|file_sep|>', order: 'psm' },
  starcoder: { family: 'starcoder', prefix: '<fim_prefix>', suffix: '<fim_suffix>', middle: '<fim_middle>', repoName: '<reponame>', fileSeparator: '<file_sep>', order: 'psm' },
  deepseek: { family: 'deepseek', prefix: '<｜fim▁begin｜>', suffix: '<｜fim▁hole｜>', middle: '<｜fim▁end｜>', order: 'psm' },
  codellama: { family: 'codellama', prefix: '<PRE> ', suffix: ' <SUF>', middle: ' <MID>', order: 'psm' },
  codestral: { family: 'codestral', prefix: '[PREFIX]', suffix: '[SUFFIX]', order: 'spm' },
};

/** The family an OpenAI-compatible server's model name suggests, if any. */
export function guessFimFamily(modelName: string): Exclude<RemoteFimFormat, 'auto'> | undefined {
  const name = modelName.toLowerCase();
  if (/qwen.*coder|codegemma/.test(name)) return 'qwen';
  if (/starcoder|granite.*code|santacoder/.test(name)) return 'starcoder';
  if (/deepseek.*coder/.test(name)) return 'deepseek';
  if (/codellama|code-llama/.test(name)) return 'codellama';
  if (/codestral/.test(name)) return 'codestral';
  return undefined;
}

// Marker "tokens" below every code point.
const PREFIX = -1;
const SUFFIX = -2;
const MIDDLE = -3;
const REPO = -4;
const FILE_SEP = -5;

const codePoints = (text: string): number[] => Array.from(text, (char) => char.codePointAt(0)!);

export interface TextPlanInput {
  documentKey: string;
  prefix: string;
  suffix: string;
  /** Code from other files and the document's path, for families with repository markers. */
  context?: readonly { path: string; text: string }[];
  filePath?: string;
  /** Most characters the prompt may take (the server's context, in characters at a conservative rate). */
  budgetChars: number;
  /** Of those, most for the context header. */
  contextChars: number;
}

export class TextPromptPlanner {
  private readonly planner: PromptPlanner;

  constructor(private readonly markers: FimMarkers) {
    this.planner = new PromptPlanner(codePoints, { prefix: PREFIX, suffix: SUFFIX, middle: markers.middle === undefined ? undefined : MIDDLE }, markers.order);
  }

  /** The prompt text, and the whitespace held back from its end (the caller strips it from the answer's start). */
  plan(input: TextPlanInput): { prompt: string; heldBack: string } {
    const { markers } = this;
    const header =
      markers.repoName && markers.fileSeparator && input.context && input.context.length > 0
        ? layoutRepoHeader(input.context, input.filePath ?? 'untitled', { repoName: REPO, fileSeparator: FILE_SEP }, codePoints, input.contextChars)
        : [];
    const plan = this.planner.plan({ documentKey: input.documentKey, prefix: input.prefix, suffix: input.suffix, header, budget: input.budgetChars }, [], Number.POSITIVE_INFINITY);
    return { prompt: this.text(plan.tokens), heldBack: plan.heldBack };
  }

  forget(documentKey: string): void {
    this.planner.forget(documentKey);
  }

  private text(units: readonly number[]): string {
    const { markers } = this;
    const marker: Record<number, string> = { [PREFIX]: markers.prefix, [SUFFIX]: markers.suffix, [MIDDLE]: markers.middle ?? '', [REPO]: markers.repoName ?? '', [FILE_SEP]: markers.fileSeparator ?? '' };
    let text = '';
    for (const unit of units) text += unit < 0 ? marker[unit] : String.fromCodePoint(unit);
    return text;
  }
}
