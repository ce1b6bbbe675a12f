// The token predictors behind speculative decoding: prompt lookup or a draft model, handed through only while
// speculation pays — per request (SpeculationGate, from measured decode speed) and per proposal (ProposalThrottle,
// from what the sequence accepted).
import type { LlamaContext, LlamaModel, Token, TokenPredictor } from 'node-llama-cpp';
import type { SpeculationSetting } from '../../../common/settings';
import type { NodeLlamaCpp } from './llamaRuntime';
import type { BatchCost } from './proposalLength';
import { ProposalThrottle } from './proposalThrottle';
import type { SpeculationGate } from './speculationGate';

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

/** Per-request speculation decision, shared by the model (decides, measures) and the predictor (obeys). */
export interface SpeculationControl {
  gate: SpeculationGate;
  thisRequest: boolean;
}

/** The longest proposal verified at once. */
export const maxProposal = 8;

/** A predictor for one target sequence, gated by `control` and sized by the batch costs; undefined when nothing can propose. */
export function speculativePredictor(
  lib: NodeLlamaCpp,
  speculation: SpeculationSetting,
  draft: DraftResources | undefined,
  control: SpeculationControl,
  costs: readonly BatchCost[],
): TokenPredictor | undefined {
  const inner = createPredictor(lib, speculation, draft);
  return inner && gatedPredictor(lib, inner, () => control.thisRequest, costs);
}

function createPredictor(lib: NodeLlamaCpp, speculation: SpeculationSetting, draft: DraftResources | undefined): TokenPredictor | undefined {
  // Two matching tokens before proposing: single-token matches propose mostly noise.
  if (speculation === 'promptLookup') return new lib.InputLookupTokenPredictor({ patternLength: { min: 2 }, predictionLength: { max: maxProposal } });
  // minTokens 0 never got ahead of the target on a busy CPU; 1 did.
  if (draft) return new lib.DraftSequenceTokenPredictor(draft.context.getSequence(), { minTokens: 1, maxTokens: maxProposal });
  return undefined;
}

function gatedPredictor(lib: NodeLlamaCpp, inner: TokenPredictor, open: () => boolean, costs: readonly BatchCost[]): TokenPredictor {
  const throttle = new ProposalThrottle(maxProposal, 2, 64, costs.length > 0 ? costs : undefined);
  const limit = (tokens: Token[]): Token[] => {
    const allowed = tokens.slice(0, throttle.allowance());
    throttle.proposed(allowed.length);
    return allowed;
  };
  class GatedPredictor extends lib.TokenPredictor {
    reset(params: Parameters<TokenPredictor['reset']>[0]) {
      throttle.reset();
      return inner.reset(params);
    }
    pushTokens(tokens: Token[]): void {
      throttle.took(tokens.length);
      inner.pushTokens(tokens);
    }
    predictTokens(): Token[] | Promise<Token[]> {
      if (!open()) return [];
      const predicted = inner.predictTokens();
      return predicted instanceof Promise ? predicted.then(limit) : limit(predicted);
    }
    override stop(untilPredictionsExhausted?: boolean) {
      return inner.stop(untilPredictionsExhausted);
    }
    override updateInputTokens(tokens: Token[]): void {
      inner.updateInputTokens(tokens);
    }
    override dispose() {
      return inner.dispose();
    }
  }
  return new GatedPredictor();
}
