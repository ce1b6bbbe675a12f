// Chooses each request's prompt so that a keystroke costs about what it changed, in the FIM order the model was
// trained on, and so that the tokens the request must evaluate fit a latency budget.
//
// Prefix-first (psm), the order real models are trained on, puts the suffix after the prefix: with the prefix ending
// at the cursor, every keystroke would re-evaluate the whole suffix. So the prompt is anchored at the start of the
// code on the line being written (after its indentation), and what was typed since goes at the start of the middle:
//   <pre>text before the anchor<suf>text after the cursor<mid>text typed since the anchor
// FIM training splits documents at arbitrary points, so a middle that starts with half a line is in distribution.
// While the user types at the anchor only the end changes; the anchor moves when the user leaves the line, when what
// follows the cursor changes, or when the middle grows long. Suffix-first (spm) needs no anchor: the prefix is last.
//
// Latency budget: where the whole window's uncached part would take longer than the budget to evaluate (a newly
// opened file, a jump), a quick prompt is used instead — the definitions the cursor's code uses first (a share of the
// quick prompt, where the model knows the repository-level format), then the code nearest the cursor — and the whole
// window is handed back as `warm`, to be evaluated in the background between requests. The quick prompt
// runs on a sequence of its own, so the window warming on the document's sequence is never thrown away by it. Where
// the document's sequence already holds the window's whole header (the warm-up evaluates it first), the quick prompt
// starts with that header instead, copied from the document's sequence rather than evaluated (`borrow`), and the code
// around the cursor gets the whole budget: every definition the window has, at the quick prompt's cost.
import { type FimOrder, type FimTokenIds, layoutFimPrompt } from './fimTemplate';

/** Anchors kept, most recently used last: a long session opens many more documents than hold a KV sequence. */
const maxAnchors = 16;
/**
 * A middle longer than this moves the anchor (to the start of the cursor's line). Moving it costs the suffix's
 * re-evaluation (hundreds of tokens, seconds on a CPU), so the middle may hold the lines of a new function or block as
 * they are written (about 15 lines): in FIM training a middle is any span, often several lines.
 */
export const maxMiddleChars = 1200;
/** Code runs to this many characters a token and more: the middle's characters in tokens, at most. */
const middleCharsPerToken = 2.5;

/**
 * Tokens kept free in the window for the middle, and the characters the middle may then hold: room for
 * `maxMiddleChars`, but never more than a quarter of the prompt (a small context keeps most of it for the code).
 */
function middleRoom(budget: number): { tokens: number; chars: number } {
  const tokens = Math.min(Math.ceil(maxMiddleChars / middleCharsPerToken), Math.floor(budget / 4));
  return { tokens, chars: Math.floor(tokens * middleCharsPerToken) };
}
/** The quick prompt never goes below this many tokens, however slow the machine: fewer hardly show the model code. */
export const minQuickTokens = 48;
/** The quick prompt's size is rounded down to a multiple of this, so small changes in measured speed keep it put. */
const quickStep = 32;
/**
 * The whole window is taken over a cheaper quick prompt while its uncached part fits the latency budget and costs at
 * most this share of the budget more (a tenth: about 100 ms of a 1 s budget), or at most `minFullSlackTokens`.
 */
const fullSlackShare = 0.1;
const minFullSlackTokens = 8;
/** The most of the quick prompt the definitions (the cross-file header) may take: the code at the cursor keeps the rest. */
export const quickHeaderShare = 0.5;

export interface PlanInput {
  documentKey: string;
  /** Text before the cursor (windowed). */
  prefix: string;
  /** Text after the cursor (windowed). */
  suffix: string;
  /** The repository-level context header, [] when there is none. */
  header: readonly number[];
  /** The same header laid out within `budget` tokens, for the quick prompt (absent: the quick prompt has none). */
  quickHeader?: (budget: number) => readonly number[];
  /** Most tokens the whole prompt may take. */
  budget: number;
}

export interface PromptPlan {
  tokens: number[];
  /**
   * Whitespace typed at the end of the middle and left out of the prompt: byte-level BPE attaches a space to the word
   * after it, so a middle ending in a lone space token is one the model never saw in training. The generated text
   * starts with it again when the model agrees; the caller strips it there.
   */
  heldBack: string;
  /** Whether the prompt holds the whole window (false: cut to the latency budget). */
  full: boolean;
  /**
   * The whole window's prompt (prefix-first: with the middle typed so far), to evaluate in the background; only when
   * `full` is false.
   */
  warm?: number[];
  /**
   * A quick prompt that starts with the window's whole header, which the document's sequence holds: how many of its
   * first tokens to copy from the document's sequence to the quick prompts' before evaluating (absent: nothing to copy).
   */
  borrow?: number;
}

interface Anchor {
  /** The windowed prefix up to the anchor, and the suffix, when the anchor was set. */
  before: string;
  suffix: string;
  header: readonly number[];
  budget: number;
  /** Prompt tokens up to and including the middle token, tokenized once per anchor. */
  stable: number[];
  /** The quick prompt's tokens up to the middle, made on first use at the size it had then. */
  quick?: number[];
  /** The same with the window's whole header (see PromptPlan.borrow), made on first use. */
  headed?: number[];
}

export class PromptPlanner {
  private readonly anchors = new Map<string, Anchor>();

  constructor(
    private readonly tokenize: (text: string) => number[],
    private readonly ids: FimTokenIds,
    private readonly order: FimOrder,
    /** Off: prefix-first prompts split at the cursor, as most tools lay them out (to measure what the anchor is worth). */
    private readonly anchored = true,
    /** Whether a quick prompt may start with the window's header copied from the document's sequence (PromptPlan.borrow). */
    private readonly borrowHeader = true,
  ) {}

  /**
   * The prompt for this request. `cached` is what the document's sequence holds (its window), `quickCached` what the
   * sequence quick prompts run on holds; `latencyTokens` how many tokens may be evaluated within the latency budget
   * (Infinity: no budget). The whole window is used when its uncached part fits the budget and costs little more than
   * the quick prompt, or when the quick prompt would cost as much.
   */
  plan(input: PlanInput, cached: readonly number[], latencyTokens: number, quickCached: readonly number[] = cached): PromptPlan {
    return this.order === 'psm' ? this.planAnchored(input, cached, latencyTokens, quickCached) : this.planSuffixFirst(input, cached, latencyTokens, quickCached);
  }

  /** The whole window's prompt for this spot, the middle typed so far included: what to warm where the cursor rests. */
  warmTokens(input: PlanInput): number[] {
    if (this.order !== 'psm') return this.layout(input.prefix, input.suffix, input.header, input.budget);
    const anchor = this.anchorFor(input);
    return [...anchor.stable, ...this.middleOf(anchor, input.prefix).middle];
  }

  /**
   * Where the sequence holds the whole stable part of an anchor at an earlier line's start within the middle's reach —
   * a window kept from an earlier session, saved while the user typed the lines after it — that anchor is taken (the
   * lines since then become the middle), so the kept window serves as it is. Returns whether it did. Prefix-first only.
   */
  adoptCachedAnchor(input: PlanInput, cached: readonly number[]): boolean {
    if (this.order !== 'psm' || !this.anchored) return false;
    const current = this.anchorFor(input);
    if (commonPrefixLength(current.stable, cached) === current.stable.length) return true;
    for (let lineStart = input.prefix.lastIndexOf('\n', current.before.length - 1); lineStart > 0; lineStart = input.prefix.lastIndexOf('\n', lineStart - 1)) {
      const start = lineStart + 1;
      if (input.prefix.length - start > middleRoom(input.budget).chars) break;
      // After the line's indentation (where anchors are set), or at its very start (a cursor that was at column 0).
      const codeStart = start + (/^[ \t]*/.exec(input.prefix.slice(start))?.[0].length ?? 0);
      for (const at of codeStart === start ? [start] : [codeStart, start]) {
        const before = input.prefix.slice(0, at);
        const stable = this.layout(before, input.suffix, input.header, input.budget - middleRoom(input.budget).tokens);
        if (commonPrefixLength(stable, cached) < stable.length) continue;
        this.remember(input.documentKey, { before, suffix: input.suffix, header: input.header, budget: input.budget, stable });
        return true;
      }
    }
    return false;
  }

  forget(documentKey: string): void {
    this.anchors.delete(documentKey);
  }

  /** Forgets the anchors of the documents `belongs` picks (their window went away). */
  forgetWhere(belongs: (documentKey: string) => boolean): void {
    for (const key of [...this.anchors.keys()]) if (belongs(key)) this.anchors.delete(key);
  }

  private planAnchored(input: PlanInput, cached: readonly number[], latencyTokens: number, quickCached: readonly number[]): PromptPlan {
    const anchor = this.anchorFor(input);
    const { middle, heldBack } = this.middleOf(anchor, input.prefix);
    const full = [...anchor.stable, ...middle];
    const fullCost = full.length - commonPrefixLength(full, cached);
    // What the whole window may cost beyond the quick prompt and still be taken: a tenth of the budget.
    const slack = Math.max(minFullSlackTokens, latencyTokens * fullSlackShare);
    if (fullCost <= slack) return { tokens: full, full: true, heldBack };
    anchor.quick ??= this.quickLayout(anchor.before, anchor.suffix, input, quickSize(latencyTokens - middle.length));
    const quick = [...anchor.quick, ...middle];
    const quickCost = quick.length - commonPrefixLength(quick, quickCached);
    if (quickCost >= fullCost || (fullCost <= latencyTokens && fullCost - quickCost <= slack)) return { tokens: full, full: true, heldBack };
    // The window lacks more than the quick prompt does (a new anchor, or a middle typed while quick prompts answered):
    // the quick prompt now, the window with the middle typed so far warmed next.
    if (this.headerHeld(input.header, cached)) {
      anchor.headed ??= this.layout(anchor.before, anchor.suffix, input.header, input.header.length + quickSize(latencyTokens - middle.length));
      return { ...this.headed([...anchor.headed, ...middle], input.header, quickCached), full: false, warm: full, heldBack };
    }
    return { tokens: quick, full: false, warm: full, heldBack };
  }

  /** What was typed since the anchor, in tokens, less trailing whitespace (held back: see PromptPlan.heldBack). */
  private middleOf(anchor: Anchor, prefix: string): { middle: number[]; heldBack: string } {
    const typed = prefix.slice(anchor.before.length);
    const heldBack = /[ \t]+$/.exec(typed)?.[0] ?? '';
    return { middle: this.tokenize(typed.slice(0, typed.length - heldBack.length)), heldBack };
  }

  private planSuffixFirst(input: PlanInput, cached: readonly number[], latencyTokens: number, quickCached: readonly number[]): PromptPlan {
    const full = this.layout(input.prefix, input.suffix, input.header, input.budget);
    const fullCost = full.length - commonPrefixLength(full, cached);
    if (fullCost <= latencyTokens) return { tokens: full, full: true, heldBack: '' };
    const quick = this.quickLayout(input.prefix, input.suffix, input, quickSize(latencyTokens));
    if (quick.length - commonPrefixLength(quick, quickCached) >= fullCost) return { tokens: full, full: true, heldBack: '' };
    // The prefix is last in this order: the whole prompt is stable until the next keystroke.
    if (this.headerHeld(input.header, cached)) {
      const headed = this.layout(input.prefix, input.suffix, input.header, input.header.length + quickSize(latencyTokens));
      return { ...this.headed(headed, input.header, quickCached), full: false, warm: full, heldBack: '' };
    }
    return { tokens: quick, full: false, warm: full, heldBack: '' };
  }

  /** Whether the document's sequence holds the window's whole header, so a quick prompt can start with it (borrowed). */
  private headerHeld(header: readonly number[], cached: readonly number[]): boolean {
    return this.borrowHeader && header.length > 0 && commonPrefixLength(header, cached) === header.length;
  }

  /** A quick prompt starting with the window's header: copied to the quick prompts' sequence unless it holds it already. */
  private headed(tokens: number[], header: readonly number[], quickCached: readonly number[]): { tokens: number[]; borrow?: number } {
    return commonPrefixLength(tokens, quickCached) >= header.length ? { tokens } : { tokens, borrow: header.length };
  }

  /** The quick prompt: the definitions first, within their share, then the code around the cursor in what is left. */
  private quickLayout(prefix: string, suffix: string, input: PlanInput, size: number): number[] {
    const header = input.quickHeader?.(Math.floor(size * quickHeaderShare)) ?? [];
    return this.layout(prefix, suffix, header, size);
  }

  /** The document's anchor while it still holds for this request, else a new one at the start of the cursor's line. */
  private anchorFor(input: PlanInput): Anchor {
    const held = this.anchors.get(input.documentKey);
    if (
      held &&
      held.suffix === input.suffix &&
      held.budget === input.budget &&
      input.prefix.startsWith(held.before) &&
      input.prefix.length - held.before.length <= (this.anchored ? middleRoom(input.budget).chars : 0) &&
      sameTokens(held.header, input.header)
    ) {
      this.remember(input.documentKey, held);
      return held;
    }
    const lineStart = input.prefix.lastIndexOf('\n') + 1;
    // After the line's indentation, where an editor-like FIM split puts the cursor at the start of a line's code.
    const codeStart = this.anchored ? lineStart + (/^[ \t]*/.exec(input.prefix.slice(lineStart))?.[0].length ?? 0) : input.prefix.length;
    // A very long line (minified code) anchors at the cursor: its middle would not fit.
    const at = input.prefix.length - codeStart <= middleRoom(input.budget).chars ? codeStart : input.prefix.length;
    const before = input.prefix.slice(0, at);
    const anchor: Anchor = {
      before,
      suffix: input.suffix,
      header: input.header,
      budget: input.budget,
      stable: this.layout(before, input.suffix, input.header, input.budget - middleRoom(input.budget).tokens),
    };
    this.remember(input.documentKey, anchor);
    return anchor;
  }

  private remember(documentKey: string, anchor: Anchor): void {
    this.anchors.delete(documentKey);
    this.anchors.set(documentKey, anchor);
    if (this.anchors.size > maxAnchors) this.anchors.delete(this.anchors.keys().next().value!);
  }

  /** The FIM prompt without its middle text: it ends with the middle token (psm) or the prefix (spm). */
  private layout(prefix: string, suffix: string, header: readonly number[], budget: number): number[] {
    return layoutFimPrompt({ header, prefixTokens: this.tokenize(prefix), suffixTokens: this.tokenize(suffix), ids: this.ids, order: this.order, budget });
  }
}

/** The quick prompt's size for `tokens` of room: in steps, never below the floor. */
export function quickSize(tokens: number): number {
  return Math.max(minQuickTokens, Math.floor(tokens / quickStep) * quickStep);
}

export function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  const length = Math.min(a.length, b.length);
  let i = 0;
  while (i < length && a[i] === b[i]) i++;
  return i;
}

function sameTokens(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && commonPrefixLength(a, b) === a.length;
}
