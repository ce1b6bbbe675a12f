// What the remote engine sends and reads: llama-server's streamed events and generation fields, and the
// OpenAI-compatible completion and chat events.
import type { InfillStats } from '../model/completionModel';

export interface LlamaEvent {
  content?: string;
  stop?: boolean;
  tokens_cached?: number;
  tokens_evaluated?: number;
  timings?: { prompt_n?: number; cache_n?: number; predicted_n?: number; predicted_per_token_ms?: number };
}

export interface OpenAiEvent {
  choices?: Array<{ text?: string; delta?: { content?: string }; finish_reason?: string | null }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

/** llama-server's figures for a request (sent with each token: timings_per_token), as the server reports them. */
export function recordTimings(stats: InfillStats, event: LlamaEvent): void {
  const timings = event.timings;
  if (!timings) return;
  stats.promptTokens = (timings.prompt_n ?? 0) + (timings.cache_n ?? 0);
  stats.reusedPromptTokens = timings.cache_n ?? event.tokens_cached ?? 0;
  stats.decodeStepMs = timings.predicted_per_token_ms ?? 0;
}

/**
 * What Hearth asks of every llama-server generation (/completion and /infill alike): greedy, streamed, its prompt kept
 * in the slot's cache; `slot` -1 lets the server choose (an idle slot, the one whose cached prompt matches best).
 */
export function llamaGeneration(maxTokens: number, slot: number) {
  return {
    n_predict: maxTokens,
    temperature: 0,
    top_k: 1,
    samplers: ['top_k'],
    stream: true,
    cache_prompt: true,
    // The prompt's figures with the first token: a generation stopped early (a stop rule) has them too.
    timings_per_token: true,
    id_slot: slot,
  };
}
