// What the headless commands (complete, explain, refactor) share: the real server started beside their bundle,
// its log on stderr (errors always, everything with --verbose), ready with its model or a clear refusal, and the
// file opened as the editor would open it.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { languageIdForPath } from './languageIds';
import { LspSession } from './lspSession';

/** The session with the model ready, or undefined after saying on stderr why the model cannot be used (stopped). */
export async function startCliSession(settings: Record<string, unknown>, verbose: boolean): Promise<LspSession | undefined> {
  const remote = settings.engine === 'remote' ? (settings.remote as { url: string }) : undefined;
  const session = await LspSession.start({
    serverPath: join(__dirname, 'server.js'),
    settings,
    onLog: (message) => {
      if (verbose || /error|fail/i.test(message)) process.stderr.write(`${message}\n`);
    },
  });
  // Naming the server on the command line is the agreement to send it the file; its key comes from the environment.
  if (remote) await session.remoteAccess({ url: remote.url, consented: true, apiKey: process.env.HEARTH_REMOTE_API_KEY || undefined });
  const status = await session.waitForStatus((s) => s.state === 'ready' || (s.state === 'error' && !/Waiting for your agreement/.test(s.message)), 120_000);
  if (status.state === 'error') {
    process.stderr.write(`hearth: ${status.message}\n`);
    await session.stop();
    return undefined;
  }
  return session;
}

/** Opens `path` (its text as read) in the session; returns its URI. */
export async function openFile(session: LspSession, path: string, text: string): Promise<string> {
  const uri = pathToFileURL(path).href;
  await session.open(uri, languageIdForPath(path), text);
  return uri;
}

/** Calls `stop` once stdout's reader has gone (EPIPE: `| head` has seen enough); other stdout errors still throw. */
export function onBrokenPipe(stop: () => void): void {
  let gone = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    if (!gone) stop();
    gone = true;
  });
}

/** Runs a command's main: exits with its code, or with 1 after printing what went wrong. */
export function runCli(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`hearth: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
