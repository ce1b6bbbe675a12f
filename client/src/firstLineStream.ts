// Matches the server's streamed first lines (hearth/firstLine) to the inline-completion calls waiting for them.
import type * as vscode from 'vscode';
import type { FirstLine } from '../../common/protocol';

interface Waiter {
  uri: string;
  version: number;
  line: number;
  character: number;
  resolve(text: string | undefined): void;
}

export class FirstLineStream {
  private readonly waiters = new Set<Waiter>();

  deliver(message: FirstLine): void {
    for (const waiter of this.waiters) {
      const { uri, version, line, character } = waiter;
      if (uri === message.uri && version === message.version && line === message.position.line && character === message.position.character) {
        this.waiters.delete(waiter);
        waiter.resolve(message.text);
      }
    }
  }

  /** Resolves with the first line for this call, or undefined once disposed or cancelled. */
  wait(uri: string, version: number, position: vscode.Position, token: vscode.CancellationToken): { line: Promise<string | undefined>; dispose(): void } {
    let waiter!: Waiter;
    const line = new Promise<string | undefined>((resolve) => {
      waiter = { uri, version, line: position.line, character: position.character, resolve };
    });
    this.waiters.add(waiter);
    const dispose = (): void => {
      this.waiters.delete(waiter);
      waiter.resolve(undefined);
    };
    const cancellation = token.onCancellationRequested(dispose);
    return {
      line,
      dispose: () => {
        cancellation.dispose();
        dispose();
      },
    };
  }
}
