// npm run soak -- [--minutes 30] [--json FILE]: the load test's typing (20 keystrokes a second across 3 documents of
// a real project) for a long time against the real server and bundled model, reporting how memory and latency drift:
// the first and last five minutes compared (not in CI). Writes docs/RELIABILITY.md's soak section.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LspSession } from './lspSession';
import { reliabilityDocument, writeReportSection } from './reportFile';
import { percentile } from './replay';
import { loadProjectIn, runTypingLoad } from './reliability/typingLoad';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '30' }, json: { type: 'string' } } });
const repoRoot = join(__dirname, '..', '..');

async function main(): Promise<void> {
  const minutes = Number(values.minutes);
  const session = await LspSession.start({
    serverPath: join(repoRoot, 'dist', 'server.js'),
    settings: { threads: 1, gpu: 'off', logLevel: 'warn' },
    workspaceFolder: loadProjectIn(repoRoot),
    indexCacheDir: mkdtempSync(join(tmpdir(), 'hearth-soak-')),
  });
  try {
    await session.waitForStatus((s) => s.state === 'ready', 120_000);
    console.error(`Soak: ${minutes} min of typing at 20 keystrokes a second…`);
    const result = await runTypingLoad(session, loadProjectIn(repoRoot), minutes * 60);
    const window = Math.min(300, (minutes * 60) / 4);
    const inWindow = <T extends { at: number }>(list: T[], from: number, to: number) => list.filter((s) => s.at >= from && s.at < to);
    const median = (xs: number[]) => percentile(xs, 50);
    const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)] ?? 0;
    const end = result.seconds;
    const summary = {
      minutes,
      requests: result.requests,
      stale: result.stale,
      crossedInFlight: result.crossedInFlight,
      maxQueuedBehind: result.maxQueuedBehind,
      outcomes: result.outcomes,
      rssMiB: { first: Math.round(median(inWindow(result.rss, window / 2, window).map((s) => s.mib))), last: Math.round(median(inWindow(result.rss, end - window, end + 1).map((s) => s.mib))), peak: Math.round(session.peakRssMiB() ?? 0) },
      servedMs: {
        firstP50: Math.round(median(inWindow(result.served, 0, window).map((s) => s.ms))),
        lastP50: Math.round(median(inWindow(result.served, end - window, end + 1).map((s) => s.ms))),
        firstP95: Math.round(p95(inWindow(result.served, 0, window).map((s) => s.ms))),
        lastP95: Math.round(p95(inWindow(result.served, end - window, end + 1).map((s) => s.ms))),
      },
    };
    console.log(JSON.stringify(summary, null, 2));
    if (values.json) writeFileSync(values.json, JSON.stringify(summary, null, 2));
    const drift = (a: number, b: number) => (a > 0 ? `${(((b - a) / a) * 100).toFixed(1)} %` : 'n/a');
    writeReportSection(
      'soak',
      `## Soak (\`npm run soak -- --minutes ${minutes}\`)

Made on ${new Date().toISOString().slice(0, 10)}: ${minutes} minutes of typing, 20 keystrokes a second across 3 documents of a real project
(tools/src/reliability/typingLoad.ts), bundled model, one thread. First and last ${Math.round(window)} s compared.

| measure | first | last | drift |
| --- | --- | --- | --- |
| server RSS (median), MiB | ${summary.rssMiB.first} | ${summary.rssMiB.last} | ${drift(summary.rssMiB.first, summary.rssMiB.last)} |
| served completion p50, ms | ${summary.servedMs.firstP50} | ${summary.servedMs.lastP50} | ${drift(summary.servedMs.firstP50, summary.servedMs.lastP50)} |
| served completion p95, ms | ${summary.servedMs.firstP95} | ${summary.servedMs.lastP95} | ${drift(summary.servedMs.firstP95, summary.servedMs.lastP95)} |

${summary.requests} requests; ${summary.stale} answers shown for changed text; ${summary.crossedInFlight} answers crossed the next keystroke in flight (their request already cancelled: the editor drops them); at most ${summary.maxQueuedBehind} request(s) waited behind another; peak RSS ${summary.rssMiB.peak} MiB.`,
      reliabilityDocument,
    );
  } finally {
    await session.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
