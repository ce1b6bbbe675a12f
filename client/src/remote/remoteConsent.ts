// The decisions about the remote engine that need no editor: what the user is told before code is first sent to a
// server, and what the server is told (agreed or not, the key) — plain functions with unit tests.
import type { RemoteAccess } from '../../../common/protocol';
import type { HearthSettings } from '../../../common/settings';

/** What leaves the machine, said before the first request to a server (once per URL). */
export function consentMessage(url: string): { message: string; detail: string } {
  return {
    message: `Send code to ${url}?`,
    detail: [
      `With hearth.engine set to "remote", Hearth sends to ${url}:`,
      '• for completions: the text around the cursor in the file you type in, its path in the workspace, and snippets of other workspace files it uses as context;',
      '• for Explain and Refactor: the selected code (or the function around the cursor) and the definitions it uses.',
      'Secrets found in that text (private keys, tokens, passwords, credentials in URLs) are replaced by [REDACTED], and files matching hearth.remote.neverSend (.env, *.pem, *.key, id_rsa…) are never sent.',
      'Nothing is sent until you agree; "Keep Local" leaves Hearth waiting, and hearth.engine "local" keeps everything on this machine.',
    ].join('\n'),
  };
}

/** What the server is told: nothing to connect to unless the engine is remote, a URL is set and the user agreed to it. */
export function remoteAccessFor(settings: Pick<HearthSettings, 'engine' | 'remote'>, consentedUrls: readonly string[], apiKey: string | undefined): RemoteAccess | undefined {
  if (settings.engine !== 'remote' || settings.remote.url === '') return undefined;
  const url = settings.remote.url;
  return { url, consented: consentedUrls.includes(url), ...(apiKey ? { apiKey } : {}) };
}

/** The secret storage key of a server's API key: one per server, so a key never goes to another URL. */
export function apiKeySecretName(url: string): string {
  return `hearth.remote.apiKey ${url}`;
}
