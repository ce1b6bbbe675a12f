// What a user is told when a long request (explain, refactor, a model download) fails because the server went away
// under it: the connection's own words ("Pending response rejected since connection got disposed") say nothing to a
// user; the server restarts by itself, and the command can simply be run again.
import { ErrorCodes } from 'vscode-languageserver-protocol';

export const serverStoppedMessage = 'The Hearth server stopped while it was working on this; it restarts by itself. Run the command again.';

/** The error to show for a failed request: the server's own message, or, when the server went away, that it did. */
export function requestFailure(error: unknown): Error {
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === ErrorCodes.PendingResponseRejected || code === ErrorCodes.ConnectionInactive || /^Client is not running/.test(message)) {
    return new Error(serverStoppedMessage);
  }
  return error instanceof Error ? error : new Error(message);
}
