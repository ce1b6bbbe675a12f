// Load: 20 keystrokes a second for 60 s across 3 open documents of a real project, each keystroke a completion
// request (the previous one of its document cancelled, as VS Code does), against the real server and model. No
// request may wait behind more than one other, no completion may be shown for text that has changed, and the
// server's memory must stay within ±10 % once warm. HEARTH_LOAD_SECONDS shortens or lengthens the run.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CompletionMetrics } from '../../common/protocol';
import { LspSession, type PendingCompletion } from '../../tools/src/lspSession';
import { repoRoot, serverPath } from '../support/paths';

const seconds = Number(process.env.HEARTH_LOAD_SECONDS ?? 60);
const keystrokesPerSecond = 20;
const warmUpSeconds = Math.min(10, seconds / 4);
const project = join(repoRoot, 'test', 'fixtures', 'evalProjects', 'msal-node');
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

test(`${keystrokesPerSecond} keystrokes a second for ${seconds} s across 3 documents: no request waits behind more than one, none stale, memory flat`, { timeout: (seconds + 180) * 1000 }, async () => {
  const session = await LspSession.start({ serverPath, settings: { threads: 1, gpu: 'off', logLevel: 'info' }, workspaceFolder: project, indexCacheDir: mkdtempSync(join(tmpdir(), 'hearth-load-')) });
  try {
    assert.equal((await session.waitForStatus((s) => s.state === 'ready' || s.state === 'error', 120_000)).state, 'ready');
    // Each document is being written from its middle on: the rest of the line and the lines below are typed in turn.
    const typists: Typist[] = files.map((file) => {
      const lines = readFileSync(join(project, file), 'utf8').split('\n');
      const line = Math.floor(lines.length / 2);
      return { uri: pathToFileURL(join(project, file)).href, lines, line, typed: 0, version: 1 };
    });
    for (const t of typists) await session.open(t.uri, 'typescript', textOf(t));

    let requests = 0;
    let stale = 0;
    let answered = 0;
    let shown = 0;
    const outstanding: Promise<void>[] = [];
    const rss: Array<{ at: number; mib: number }> = [];
    const started = performance.now();
    const total = seconds * keystrokesPerSecond;
    for (let k = 0; k < total; k++) {
      // Keystrokes at a steady 20 a second, however long the client's own work took.
      const due = started + (k * 1000) / keystrokesPerSecond;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (k % keystrokesPerSecond === 0) rss.push({ at: (performance.now() - started) / 1000, mib: session.rssMiB() ?? 0 });
      const t = typists[k % typists.length]!;
      if (t.pending) {
        t.pending.cancelled = true;
        t.pending.request.cancel();
      }
      // The next character of the line (a line typed out moves on to the next one).
      if (t.typed >= t.lines[t.line]!.length) {
        t.line = (t.line + 1) % t.lines.length;
        t.typed = 0;
      } else t.typed++;
      t.version++;
      await session.replaceText(t.uri, t.version, textOf(t));
      const request = session.requestCompletion(t.uri, { line: t.line, character: t.typed });
      const pending = { request, version: t.version, cancelled: false };
      t.pending = pending;
      requests++;
      outstanding.push(
        request.result.then(
          (items) => {
            answered++;
            if (items.length === 0) return;
            // An answer the editor would show: one for a request not cancelled, for the document as it is now.
            if (pending.cancelled || t.version !== pending.version) stale++;
            else shown++;
          },
          () => undefined, // a cancelled request may be answered with an error: nothing is shown
        ),
      );
    }
    await Promise.all(outstanding);
    const metrics: CompletionMetrics[] = [];
    for (let i = 0; i < requests; i++) metrics.push(await session.nextMetrics(30_000));
    rss.push({ at: (performance.now() - started) / 1000, mib: session.rssMiB() ?? 0 });

    const behind = metrics.map((m) => m.queuedBehind ?? 0);
    const outcomes: Record<string, number> = {};
    for (const m of metrics) outcomes[m.outcome] = (outcomes[m.outcome] ?? 0) + 1;
    const warm = rss.filter((r) => r.at >= warmUpSeconds);
    const reference = warm[0]!.mib;
    const drift = warm.map((r) => (r.mib - reference) / reference);
    const servedMs = metrics.filter((m) => m.outcome === 'served').map((m) => m.totalMs).sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        seconds: Math.round((performance.now() - started) / 100) / 10,
        requests,
        answered,
        shown,
        stale,
        outcomes,
        maxQueuedBehind: Math.max(...behind),
        servedP50Ms: Math.round(servedMs[Math.floor(servedMs.length / 2)] ?? 0),
        servedP95Ms: Math.round(servedMs[Math.floor(servedMs.length * 0.95)] ?? 0),
        rssMiB: { afterWarmUp: Math.round(reference), min: Math.round(Math.min(...warm.map((r) => r.mib))), max: Math.round(Math.max(...warm.map((r) => r.mib))) },
        rssDriftPercent: { min: Math.round(Math.min(...drift) * 1000) / 10, max: Math.round(Math.max(...drift) * 1000) / 10 },
      }),
    );
    assert.equal(requests, total);
    assert.equal(answered, total, 'every request was answered');
    assert.equal(stale, 0, 'no completion was shown for text that had changed');
    assert.ok(shown > 0, 'completions were shown: the run measured real work, not only cancellations');
    assert.ok(Math.max(...behind) <= 1, `a request waited behind ${Math.max(...behind)} others`);
    assert.ok(drift.every((d) => Math.abs(d) <= 0.1), `RSS drifted ${drift.map((d) => `${(d * 100).toFixed(1)} %`).join(', ')} after warm-up`);
    assert.equal(session.hasExited, false);
  } finally {
    await session.stop();
  }
});
