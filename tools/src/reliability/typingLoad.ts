// A typing load against a running server: keystrokes at a steady rate across several open documents of a real
// project, each a completion request (the previous one of its document cancelled, as VS Code does). Counts what a
// user would see go wrong — answers for text that had changed, requests waiting behind others — and samples the
// server's memory and latency over time. Used by the load test (60 s in CI) and `npm run soak` (30 min).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CompletionMetrics } from '../../../common/protocol';
import type { LspSession, PendingCompletion } from '../lspSession';
import { percentile } from '../replay';

/** The real project typed in: msal-node from the eval set. */
export const loadProjectIn = (repoRoot: string): string => join(repoRoot, 'test', 'fixtures', 'evalProjects', 'msal-node');
const files = ['src/client/ClientApplication.ts', 'src/client/PublicClientApplication.ts', 'src/client/ClientCredentialClient.ts'];

interface Typist {
  uri: string;
  lines: string[];
  line: number;
  typed: number;
  version: number;
  pending?: { request: PendingCompletion; version: number; cancelled: boolean };
}

function textOf(t: Typist): string {
  return [...t.lines.slice(0, t.line), t.lines[t.line]!.slice(0, t.typed), ...t.lines.slice(t.line + 1)].join('\n');
}

export interface TypingLoadResult {
  seconds: number;
  requests: number;
  answered: number;
  /** Answers the editor would show: for a request not cancelled, for the document as it is. */
  shown: number;
  /** Answers with text for a request not cancelled whose document had changed: what an editor would show wrongly. */
  stale: number;
  /**
   * Answers with text that crossed the next keystroke in flight (the server finished before the change reached it):
   * their request was already cancelled, so the editor drops them (VS Code for a cancelled request; Hearth's client
   * for an answer to an older version).
   */
  crossedInFlight: number;
  outcomes: Record<string, number>;
  maxQueuedBehind: number;
  /** Resident memory once a second, MiB. */
  rss: Array<{ at: number; mib: number }>;
  /** Served requests' total time, with when they were answered. */
  served: Array<{ at: number; ms: number }>;
}

export async function runTypingLoad(session: LspSession, project: string, seconds: number, keystrokesPerSecond = 20): Promise<TypingLoadResult> {
  // Each document is being written from its middle on: the rest of the line and the lines below are typed in turn.
  const typists: Typist[] = files.map((file) => {
    const lines = readFileSync(join(project, file), 'utf8').split('\n');
    const line = Math.floor(lines.length / 2);
    return { uri: pathToFileURL(join(project, file)).href, lines, line, typed: 0, version: 1 };
  });
  for (const t of typists) await session.open(t.uri, 'typescript', textOf(t));
  const result: TypingLoadResult = { seconds: 0, requests: 0, answered: 0, shown: 0, stale: 0, crossedInFlight: 0, outcomes: {}, maxQueuedBehind: 0, rss: [], served: [] };
  const outstanding: Promise<void>[] = [];
  const metrics: CompletionMetrics[] = [];
  const started = performance.now();
  const at = () => (performance.now() - started) / 1000;
  const total = Math.round(seconds * keystrokesPerSecond);
  for (let k = 0; k < total; k++) {
    // Keystrokes at a steady rate, however long the client's own work took.
    const wait = started + (k * 1000) / keystrokesPerSecond - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (k % keystrokesPerSecond === 0) result.rss.push({ at: at(), mib: session.rssMiB() ?? 0 });
    const t = typists[k % typists.length]!;
    if (t.typed >= t.lines[t.line]!.length) {
      t.line = (t.line + 1) % t.lines.length;
      t.typed = 0;
    } else t.typed++;
    t.version++;
    // The change first, then the cancel of the document's previous request (VS Code's order), then the new request.
    await session.replaceText(t.uri, t.version, textOf(t));
    if (t.pending) {
      t.pending.cancelled = true;
      t.pending.request.cancel();
    }
    const request = session.requestCompletion(t.uri, { line: t.line, character: t.typed });
    const pending = { request, version: t.version, cancelled: false };
    t.pending = pending;
    result.requests++;
    outstanding.push(
      request.result.then(
        (items) => {
          result.answered++;
          if (items.length === 0) return;
          if (pending.cancelled) result.crossedInFlight++;
          else if (t.version !== pending.version) result.stale++;
          else result.shown++;
        },
        () => void result.answered++, // a cancelled request may be answered with an error: nothing is shown
      ),
    );
    // Metrics arrive in the order the server finished; drained as they come so a long run holds few.
    while (session.hasMetrics()) metrics.push(await session.nextMetrics());
    for (const m of metrics.splice(0)) {
      result.outcomes[m.outcome] = (result.outcomes[m.outcome] ?? 0) + 1;
      result.maxQueuedBehind = Math.max(result.maxQueuedBehind, m.queuedBehind ?? 0);
      if (m.outcome === 'served') result.served.push({ at: at(), ms: m.totalMs });
    }
  }
  await Promise.all(outstanding);
  const counted = Object.values(result.outcomes).reduce((a, b) => a + b, 0);
  for (let i = counted; i < result.requests; i++) {
    const m = await session.nextMetrics(30_000);
    result.outcomes[m.outcome] = (result.outcomes[m.outcome] ?? 0) + 1;
    result.maxQueuedBehind = Math.max(result.maxQueuedBehind, m.queuedBehind ?? 0);
    if (m.outcome === 'served') result.served.push({ at: at(), ms: m.totalMs });
  }
  result.rss.push({ at: at(), mib: session.rssMiB() ?? 0 });
  result.seconds = Math.round(at() * 10) / 10;
  return result;
}

/**
 * Relative change of each sample at or after `from` seconds from the level the memory had then: the median of the
 * first `referenceSamples` of them (one sample alone may sit on a peak or a trough of the garbage collector's cycle).
 */
export function driftFrom(samples: ReadonlyArray<{ at: number; mib: number }>, from: number, referenceSamples = 5): number[] {
  const warm = samples.filter((s) => s.at >= from);
  const reference = percentile(warm.slice(0, referenceSamples).map((s) => s.mib), 50);
  return warm.map((s) => (reference > 0 ? (s.mib - reference) / reference : 0));
}
