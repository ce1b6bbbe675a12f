// The remote engine measured as the local one is (npm run bench, or --remote-only): the same typing replay on the
// same file with the tiny model, once on this machine's engine and once through a real llama-server on 127.0.0.1 —
// and a team: N people typing at once against one llama-server with N slots (N = 1, 2, 4), each with their own
// Hearth server, as N editors would be.
import type { RemoteSettings } from '../../common/settings';
import { type LlamaServer, llamaServerBinary, startLlamaServer } from './llamaServer';
import { type Config, percentile, type ReplayFile, round, tinyTarget, typingReplay, typingTally } from './replay';

type Typing = Awaited<ReturnType<typeof typingReplay>>;

export interface RemoteBenchResult {
  /** The same replay, local engine and llama-server. */
  local: Typing;
  remote: Typing;
  /** N simulated users typing at once against one llama-server with -np N. */
  team: Array<{ users: number; slots: RemoteSettings['slots']; requests: number; firstLineMsP50: number; firstLineMsP95: number; promptTokensPerFollowupKeystroke: number; stale: number }>;
}

/** The replay's settings for both engines: the same FIM order (the tiny model's), one thread each. */
const shared = { fimOrder: 'spm', threads: 1 };

export async function remoteBenchmark(tokenize: (text: string) => number[], file: ReplayFile, teamFile: ReplayFile, teamSizes: readonly number[] = [1, 2, 4]): Promise<RemoteBenchResult> {
  const binary = llamaServerBinary();
  const remoteConfig = (server: LlamaServer, slots: RemoteSettings['slots'] = 'server'): Config => ({ settings: { ...shared, engine: 'remote', remote: { url: server.url, slots } } });
  const local = await typingReplay({ settings: shared }, tokenize, file);
  let server = await startLlamaServer(binary, { model: tinyTarget, slots: 1 });
  let remote: Typing;
  try {
    remote = await typingReplay(remoteConfig(server), tokenize, file);
  } finally {
    await server.stop();
  }
  const team: RemoteBenchResult['team'] = [];
  // Each team size with llama-server choosing the slots (hearth.remote.slots: server, the default) and with a slot per
  // document ('perDocument': each user's Hearth starts at a random slot, so two users may ask for the same one).
  for (const users of teamSizes) {
    for (const slots of users === 1 ? (['server'] as const) : (['server', 'perDocument'] as const)) {
      server = await startLlamaServer(binary, { model: tinyTarget, slots: users });
      try {
        const tallies = await Promise.all(Array.from({ length: users }, () => typingTally(remoteConfig(server, slots), tokenize, teamFile)));
        const firstLines = tallies.flatMap(({ tally }) => tally.firstLineMs);
        const summaries = tallies.map(({ tally, peak }) => tally.summary(peak));
        team.push({
          users,
          slots,
          requests: summaries.reduce((sum, s) => sum + s.requests, 0),
          firstLineMsP50: round(percentile(firstLines, 50)),
          firstLineMsP95: round(percentile(firstLines, 95)),
          promptTokensPerFollowupKeystroke: round(summaries.reduce((sum, s) => sum + s.promptTokensPerFollowupKeystroke, 0) / summaries.length),
          stale: summaries.reduce((sum, s) => sum + s.staleCompletions, 0),
        });
        console.error(`team of ${users} (slots: ${slots}): done`);
      } finally {
        await server.stop();
      }
    }
  }
  return { local, remote, team };
}

export function renderRemote(result: RemoteBenchResult, command: string): string {
  const row = (name: string, t: Typing) =>
    `| ${name} | ${t.requests} | ${t.promptTokensPerFollowupKeystroke} | ${t.typedTokensPerFollowupKeystroke} | ${t.firstLineMsP50} | ${t.firstLineMsP95} | ${t.completionMsP50} | ${t.staleCompletions} |`;
  return [
    '## Remote engine: llama-server',
    '',
    `Made by \`${command}\` on ${new Date().toISOString().slice(0, 10)}: the bundled tiny model, suffix-first, 1 thread, on this 2-core machine; llama-server`,
    "built from the llama.cpp that node-llama-cpp ships (scripts/build-llama-server.mjs), on 127.0.0.1. The same typing replay",
    '(test/fixtures/workspace/src/math.ts, a key every 80 ms) on the local engine and through llama-server (`/completion` with',
    "Hearth's prompt, `cache_prompt`, the slot chosen by llama-server). \"Prompt tokens per keystroke\" is what the engine evaluated per follow-up",
    "keystroke (llama-server's `timings.prompt_n`).",
    '',
    '| engine | requests | prompt tokens per keystroke | typed tokens per keystroke | first line p50 ms | p95 ms | completion p50 ms | stale |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    row('local (node-llama-cpp)', result.local),
    row('remote (llama-server)', result.remote),
    '',
    'A team: N people typing at once (one line each, each with their own Hearth server) against one llama-server started',
    'with `-np N`. On this 2-core machine the users, their servers and llama-server share two cores: the figures show how',
    'the latency grows with contention, not what a GPU server gives. `hearth.remote.slots`: `server` (the default) lets',
    'llama-server pick an idle slot by cached prompt; `perDocument` asks for one slot per document (`id_slot`), each user',
    "starting at a random slot, so two users can ask for the same slot and one waits.",
    '',
    '| users (slots) | hearth.remote.slots | requests | first line p50 ms | first line p95 ms | prompt tokens per keystroke | stale |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...result.team.map((t) => `| ${t.users} | ${t.slots} | ${t.requests} | ${t.firstLineMsP50} | ${t.firstLineMsP95} | ${t.promptTokensPerFollowupKeystroke} | ${t.stale} |`),
  ].join('\n');
}
