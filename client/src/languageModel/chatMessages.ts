// VS Code's language model messages → Hearth's conversation turns. Plain functions over the messages' shapes (VS
// Code's classes are not loaded in unit tests): roles by their enum values, text parts by their `value`.
import type { ChatMessage } from '../../../common/protocol';

/** LanguageModelChatMessageRole's values: User 1, Assistant 2, System 3 (where VS Code has it). */
const roles: Record<number, ChatMessage['role']> = { 1: 'user', 2: 'assistant', 3: 'system' };

export interface MessageLike {
  role: number;
  /** Parts (text, tool calls and results, data); a plain string in older VS Code versions. */
  content: string | ReadonlyArray<unknown>;
}

/** The text of a message: its text parts, in order (tool calls, tool results and data are not for this model). */
export function messageText(message: Pick<MessageLike, 'content'>): string {
  if (typeof message.content === 'string') return message.content;
  return message.content
    .map((part) => (typeof part === 'object' && part !== null && 'value' in part && typeof part.value === 'string' ? part.value : ''))
    .join('');
}

/** The conversation as the server takes it: known roles only, empty turns dropped, consecutive turns of one role joined. */
export function toChatMessages(messages: readonly MessageLike[]): ChatMessage[] {
  const turns: ChatMessage[] = [];
  for (const message of messages) {
    const role = roles[message.role];
    const text = messageText(message);
    if (!role || text.trim() === '') continue;
    const previous = turns.at(-1);
    if (previous?.role === role) previous.text += `\n\n${text}`;
    else turns.push({ role, text });
  }
  return turns;
}
