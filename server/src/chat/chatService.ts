// Conversations with the local model for other extensions (VS Code's language model API, through the client's
// provider): the next answer to a list of messages, streamed, on the model explain/refactor use — the chat model when
// one is set — with the same turn-taking (ghost text goes first). Laid out with the model's chat template, or as a
// plain transcript for a model without one. The oldest turns are left out when the conversation outgrows the context.
import type { Connection } from 'vscode-languageserver/node';
import { type ChatMessage, type ChatModelInfo, ChatModelInfoRequest, type ChatParams, ChatRequest, type ChatResult, CountTokensRequest, InstructProgressNotification } from '../../../common/protocol';
import type { InstructPrompt } from '../model/completionModel';
import { withCancellation } from '../cancellation';
import type { Feature } from '../feature';
import type { Logger } from '../logger';
import type { TextModel } from '../model/completionModel';
import { settledWithin, type TextModelSource, textModel } from '../model/waitForModel';

export interface ChatDependencies extends TextModelSource {
  log: Logger;
}

export const defaultChatSystem = 'You are Hearth, a coding assistant that runs on the developer’s own machine. Answer accurately and concisely in Markdown.';
/** Longest answer when the request does not say. */
export const defaultAnswerTokens = 1024;
/** Longest wait for a loading model before its description is asked for is answered (without it). */
const modelInfoWaitMs = 60_000;
/** Tokens the chat template's own markers may add per turn (role headers, separators). */
const perTurnOverheadTokens = 8;

/**
 * The prompt for the conversation's next answer: its system messages (or Hearth's own), the earlier turns that fit in
 * `budgetTokens` (newest kept), and the last user message. Undefined when the conversation does not end with the
 * user's turn.
 */
export function conversationPrompt(messages: readonly ChatMessage[], count: (text: string) => number, budgetTokens: number): { prompt: InstructPrompt; dropped: number; tokens: number } | undefined {
  const last = messages.at(-1);
  if (!last || last.role !== 'user') return undefined;
  const systemTexts = messages.filter((m) => m.role === 'system').map((m) => m.text.trim()).filter((text) => text !== '');
  const system = systemTexts.length > 0 ? systemTexts.join('\n\n') : defaultChatSystem;
  const earlier = messages.slice(0, -1).filter((m): m is ChatMessage & { role: 'user' | 'assistant' } => m.role !== 'system');
  const cost = (text: string) => count(text) + perTurnOverheadTokens;
  let tokens = cost(system) + cost(last.text);
  let kept = earlier.length;
  // Newest turns first, until the next older one would not fit.
  for (let i = earlier.length - 1; i >= 0; i--) {
    const next = cost(earlier[i]!.text);
    if (tokens + next > budgetTokens) break;
    tokens += next;
    kept = i;
  }
  const history = earlier.slice(kept).map((m) => ({ role: m.role, text: m.text }));
  const plain = [`${system}\n`, ...history.map((m) => `### ${m.role === 'user' ? 'User' : 'Assistant'}\n\n${m.text}\n`), `### User\n\n${last.text}\n`, '### Assistant\n\n'].join('\n');
  return { prompt: { system, history, user: last.text, plain }, dropped: kept, tokens };
}

/** The model's context (prompt and answer, in its tokens), and the longest answer a conversation may ask for. */
function limitsOf(model: Pick<TextModel, 'instructContextTokens'>): { contextTokens: number; maxAnswerTokens: number } {
  const contextTokens = model.instructContextTokens ?? 4096;
  return { contextTokens, maxAnswerTokens: Math.min(defaultAnswerTokens * 4, Math.floor(contextTokens / 2)) };
}

export class ChatService {
  constructor(private readonly deps: ChatDependencies) {}

  /** Answers hearth/chat (streaming hearth/instructProgress), hearth/chatModelInfo and hearth/countTokens. */
  listen(connection: Pick<Connection, 'onRequest' | 'sendNotification'>): void {
    connection.onRequest(ChatRequest.type, (params, token) =>
      withCancellation(token, (signal) => this.run(params, signal, (delta) => void connection.sendNotification(InstructProgressNotification.type, { id: params.id, delta }))),
    );
    // Asked while a chat model is loading: answered once it has loaded (or failed), so that it is listed.
    connection.onRequest(ChatModelInfoRequest.type, (token) =>
      withCancellation(token, async (signal) => {
        if (this.deps.modelSettled) await settledWithin(this.deps.modelSettled(), signal, modelInfoWaitMs);
        return this.info();
      }),
    );
    connection.onRequest(CountTokensRequest.type, ({ text }) => this.deps.model()?.countTokens(text) ?? 0);
  }

  info(): ChatModelInfo | null {
    const model = this.deps.model();
    if (!model || this.deps.chatModelProblem?.()) return null;
    return { name: model.name, ...limitsOf(model) };
  }

  async run(params: ChatParams, signal: AbortSignal, progress: (delta: string) => void): Promise<ChatResult> {
    const started = performance.now();
    const ready = await textModel(this.deps, signal);
    if ('error' in ready) return { text: '', ...ready };
    const { model } = ready;
    const { contextTokens, maxAnswerTokens } = limitsOf(model);
    const maxTokens = Math.max(1, Math.min(params.maxTokens ?? defaultAnswerTokens, maxAnswerTokens));
    const laid = conversationPrompt(params.messages, (text) => model.countTokens(text), contextTokens - maxTokens);
    if (!laid) return { text: '', error: 'The conversation must end with the user’s message.' };
    if (laid.tokens > contextTokens - maxTokens) {
      return { text: '', error: `The message is too long for the model’s context: ${laid.tokens} tokens, with ${maxTokens} for the answer, of ${contextTokens}.` };
    }
    const run = model.generateText({ prompt: laid.prompt, maxTokens, signal });
    let text = '';
    let error: string | undefined;
    try {
      for await (const token of run.tokens) {
        text += token.text;
        progress(token.text);
      }
    } catch (e) {
      error = (e as Error).message;
    }
    const stats = await run.done;
    const result: ChatResult = {
      text,
      ...(laid.dropped > 0 ? { droppedMessages: laid.dropped } : {}),
      stats: { ...stats, totalMs: performance.now() - started, chatTemplate: model.instructFormat === 'chat' },
    };
    if (signal.aborted) return { ...result, cancelled: true, error: 'Cancelled.' };
    if (error) return { ...result, error };
    this.deps.log.info(`chat: ${stats.promptTokens} prompt tokens (${params.messages.length} messages, ${laid.dropped} left out), ${stats.generatedTokens} generated in ${Math.round(performance.now() - started)} ms`);
    return result;
  }
}

/** Conversations for other extensions, as a feature of the server (its requests are registered when built). */
export function chatFeature(connection: Pick<Connection, 'onRequest' | 'sendNotification'>, deps: ChatDependencies): Feature {
  new ChatService(deps).listen(connection);
  return {};
}
