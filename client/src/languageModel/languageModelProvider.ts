// Hearth's model as a language model other extensions can use (VS Code's language model API: `vscode.lm`, vendor
// "hearth"), and that chat offers where it lists providers' models. Requests go to the server's hearth/chat — the model
// explain/refactor use, with their turn-taking: ghost text still goes first. Registered only where VS Code has the API
// (1.104 and later); the explain and refactor commands do not depend on it.
import * as vscode from 'vscode';
import type { HearthServer } from '../serverClient';
import { type MessageLike, messageText, toChatMessages } from './chatMessages';

export const languageModelVendor = 'hearth';

/** The parts of VS Code's language model provider API used here (absent from the @types/vscode Hearth builds against). */
interface ModelInformation {
  id: string;
  name: string;
  family: string;
  version: string;
  maxInputTokens: number;
  maxOutputTokens: number;
  tooltip?: string;
  detail?: string;
  capabilities: Record<string, never>;
}

interface Provider {
  onDidChangeLanguageModelChatInformation: vscode.Event<void>;
  provideLanguageModelChatInformation(options: unknown, token: vscode.CancellationToken): Promise<ModelInformation[]>;
  provideLanguageModelChatResponse(
    model: ModelInformation,
    messages: readonly MessageLike[],
    options: { modelOptions?: { [name: string]: unknown } },
    progress: vscode.Progress<unknown>,
    token: vscode.CancellationToken,
  ): Promise<void>;
  provideTokenCount(model: ModelInformation, text: string | MessageLike, token: vscode.CancellationToken): Promise<number>;
}

interface LanguageModelApi {
  lm?: { registerLanguageModelChatProvider?(vendor: string, provider: Provider): vscode.Disposable };
  LanguageModelTextPart?: new (value: string) => unknown;
}

/** Registers the provider; undefined where this VS Code has no language model provider API. */
export function registerLanguageModel(server: HearthServer, modelChanged: vscode.Event<unknown>): vscode.Disposable | undefined {
  const api = vscode as unknown as LanguageModelApi;
  const { lm, LanguageModelTextPart: TextPart } = api;
  if (!lm?.registerLanguageModelChatProvider || !TextPart) return undefined;
  const changed = new vscode.EventEmitter<void>();
  const provider: Provider = {
    onDidChangeLanguageModelChatInformation: changed.event,
    async provideLanguageModelChatInformation() {
      const info = await server.chatModelInfo();
      if (!info) return [];
      return [
        {
          id: 'hearth-local',
          name: `Hearth: ${info.name}`,
          family: 'hearth',
          version: info.name,
          maxInputTokens: info.contextTokens - info.maxAnswerTokens,
          maxOutputTokens: info.maxAnswerTokens,
          tooltip: `${info.name}, the model Hearth's Explain and Refactor use (hearth.chatModelPath, else the completion model)`,
          detail: 'Hearth',
          capabilities: {},
        },
      ];
    },
    async provideLanguageModelChatResponse(_model, messages, options, progress, token) {
      const maxTokens = typeof options.modelOptions?.maxTokens === 'number' ? options.modelOptions.maxTokens : undefined;
      const result = await server.chat({ messages: toChatMessages(messages), maxTokens }, token, (delta) => progress.report(new TextPart(delta)));
      if (result.error && !result.cancelled) throw new Error(`Hearth: ${result.error}`);
    },
    provideTokenCount(_model, text, token) {
      return server.countTokens(typeof text === 'string' ? text : messageText(text), token);
    },
  };
  const registration = lm.registerLanguageModelChatProvider(languageModelVendor, provider);
  const subscription = modelChanged(() => changed.fire());
  return vscode.Disposable.from(registration, subscription, changed);
}
