// The token predictors behind speculative decoding — prompt lookup and the draft model — behind one predictor per
// target sequence that obeys the gate's choice for the request (SpeculationGate: plain, lookup or draft, whichever
// decodes fastest in the document) and sizes each proposal from what the sequence accepted and what a batch costs
// here (ProposalThrottle). The draft's sequence follows the target's through node-llama-cpp's resets, which keep the
// draft's KV state for the common prefix: a keystroke re-evaluates on the draft only what changed.
import type { LlamaContext, LlamaContextSequence, LlamaModel, Token, TokenPredictor } from 'node-llama-cpp';
import type { NodeLlamaCpp } from './llamaRuntime';
import { commonPrefixLength } from './promptPlanner';
import type { BatchCost } from './proposalLength';
import { ProposalThrottle } from './proposalThrottle';
import type { SpeculationGate, SpeculationMode } from './speculationGate';

/** The draft model's own model and context, disposed before the target's (else node-llama-cpp throws). */
export interface DraftResources {
  model: LlamaModel;
  context: LlamaContext;
}

/** Disposes the draft's context, then its model (the order node-llama-cpp needs); returns undefined. */
export async function disposeDraft(draft: DraftResources | undefined): Promise<undefined> {
  await draft?.context.dispose();
  await draft?.model.dispose();
  return undefined;
}

/** What the predictors did, counted across sequences (one generation runs at a time), read per request as deltas. */
export interface SpeculationCounters {
  /** Proposals handed to the target for verification (each a batch). */
  proposals: number;
  /** Tokens the draft model evaluated to follow the target's state (its prompt, after the common prefix it kept). */
  draftPromptTokens: number;
}

/** The longest proposal verified at once. */
export const maxProposal = 8;

/** A predictor for one target sequence; undefined when the gate has no speculative mode. */
export function speculativePredictor(
  lib: NodeLlamaCpp,
  draft: DraftResources | undefined,
  gate: SpeculationGate,
  costs: readonly BatchCost[],
  counters: SpeculationCounters,
): TokenPredictor | undefined {
  const inner: Partial<Record<SpeculationMode, { predictor: TokenPredictor; throttle: ProposalThrottle }>> = {};
  const throttle = () => new ProposalThrottle(maxProposal, 2, 64, costs.length > 0 ? costs : undefined);
  // Two matching tokens before proposing: single-token matches propose mostly noise.
  if (gate.modes.includes('promptLookup')) {
    inner.promptLookup = { predictor: new lib.InputLookupTokenPredictor({ patternLength: { min: 2 }, predictionLength: { max: maxProposal } }), throttle: throttle() };
  }
  let draftSequence: LlamaContextSequence | undefined;
  if (gate.modes.includes('draft') && draft) {
    draftSequence = draft.context.getSequence();
    // minTokens 0 never got ahead of the target on a busy CPU; 1 did.
    inner.draft = { predictor: new lib.DraftSequenceTokenPredictor(draftSequence, { minTokens: 1, maxTokens: maxProposal }), throttle: throttle() };
  }
  if (!inner.promptLookup && !inner.draft) return undefined;

  class GatedPredictor extends lib.TokenPredictor {
    /** The inner predictor of the mode chosen when the sequence last reset (at each evaluation's start). */
    private active: (typeof inner)[SpeculationMode];

    reset(params: Parameters<TokenPredictor['reset']>[0]) {
      this.active = inner[gate.mode];
      if (!this.active) return;
      this.active.throttle.reset();
      if (this.active === inner.draft && draftSequence) {
        counters.draftPromptTokens += params.stateTokens.length - commonPrefixLength(draftSequence.contextTokens, params.stateTokens);
      }
      return this.active.predictor.reset(params);
    }
    pushTokens(tokens: Token[]): void {
      this.active?.throttle.took(tokens.length);
      this.active?.predictor.pushTokens(tokens);
    }
    predictTokens(): Token[] | Promise<Token[]> {
      const active = this.active;
      if (!active) return [];
      const allowance = active.throttle.allowance();
      if (allowance === 0) {
        // Paused: the predictor is not even asked (a lookup over a long corpus is not free on every step).
        active.throttle.proposed(0);
        return [];
      }
      const limit = (tokens: Token[]): Token[] => {
        const allowed = tokens.slice(0, allowance);
        active.throttle.proposed(allowed.length);
        if (allowed.length > 0) counters.proposals++;
        return allowed;
      };
      const predicted = active.predictor.predictTokens();
      return predicted instanceof Promise ? predicted.then(limit) : limit(predicted);
    }
    override stop(untilPredictionsExhausted?: boolean) {
      return this.active?.predictor.stop(untilPredictionsExhausted);
    }
    override updateInputTokens(tokens: Token[]): void {
      inner.promptLookup?.predictor.updateInputTokens(tokens);
    }
    override dispose() {
      inner.promptLookup?.predictor.dispose();
      inner.draft?.predictor.dispose();
    }
  }
  return new GatedPredictor();
}
