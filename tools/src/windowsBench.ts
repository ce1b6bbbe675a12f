// One engine for every window, measured (npm run bench -- --windows-only): three language servers as three VS Code
// windows with hearth.sharedEngine on, the Qwen2.5-Coder-0.5B-shaped model on one thread. What all Hearth processes hold
// in memory against one window with its own engine today; the focused window's first ghost line while the two others
// warm their files, against the same window with the others idle; and the engine killed with a request in flight in
// every window: how long until each completes again, and whether any request was left unanswered.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockHolder } from '../../server/src/lockFile';
import type { LspSession } from './lspSession';
import { processStatusMiB } from './processMemory';
import { type Config, delay, percentile, position, request, round, session, Tally } from './replay';
import { ensureShapedModel } from './shapedModel';

const realFiles = join(__dirname, '..', '..', 'test', 'fixtures', 'realFiles');

/** A window where the user types at the end of a line in the middle of a file, awaiting each completion. */
class Typist {
  private version = 1;
  private typed = '';
  private readonly lineEnd: number;

  constructor(
    private readonly lsp: LspSession,
    private readonly uri: string,
    private readonly text: string,
  ) {
    this.lineEnd = text.indexOf('\n', text.indexOf('\n', Math.floor(text.length / 2)) + 1);
  }

  async open(): Promise<void> {
    await this.lsp.open(this.uri, 'typescript', this.text);
  }

  /** Where the user's cursor is: after what was typed. */
  get cursor() {
    return position(this.text.slice(0, this.lineEnd) + this.typed, this.lineEnd + this.typed.length);
  }

  /** One key, one awaited request: its first line's time at the client (undefined: nothing shown) and its metrics. */
  async key() {
    this.typed += 'x';
    const current = this.text.slice(0, this.lineEnd) + this.typed + this.text.slice(this.lineEnd);
    await this.lsp.replaceText(this.uri, ++this.version, current);
    const tally = new Tally();
    await request(this.lsp, tally, this.uri, position(current, this.lineEnd + this.typed.length)).shown;
    return { firstLineMs: tally.firstLineMs[0], metrics: await this.lsp.nextMetrics(300_000) };
  }

  /** Keys with rests between them until a request holds the whole window (the warm-up fills it while the user rests). */
  async warm(limitMs = 180_000): Promise<void> {
    const deadline = performance.now() + limitMs;
    while (!(await this.key()).metrics.fullPrompt) {
      if (performance.now() > deadline) throw new Error('windows bench: the typing window never held its whole window');
      await delay(2000);
    }
  }

  /** First-line times of `count` keys (a key that showed nothing counts as the longest wait). */
  async firstLines(count: number): Promise<number[]> {
    const times: number[] = [];
    for (let i = 0; i < count; i++) times.push((await this.key()).firstLineMs ?? Number.POSITIVE_INFINITY);
    return times;
  }
}

const rssOf = (pid: number | undefined) => processStatusMiB(pid, 'VmRSS') ?? 0;
const p50 = (values: number[]) => round(percentile(values, 50), 1);

/** The pid in the engine's lock file: the running engine's. */
function enginePid(dir: string): number | undefined {
  const lock = readdirSync(dir).find((name) => name.startsWith('engine-') && name.endsWith('.lock'));
  return lock ? lockHolder(join(dir, lock)) : undefined;
}

export async function windowsBenchmark(quick: boolean) {
  const modelPath = await ensureShapedModel();
  const samples = quick ? 6 : 12;
  const format = readFileSync(join(realFiles, 'format.ts'), 'utf8');
  const shlex = readFileSync(join(realFiles, 'shlex.py'), 'utf8');
  const base = { modelPath, maxTokens: 11, maxLines: 1 };
  // The folder of kept windows, as the client gives it: one in the extension's global storage for all windows.
  const windowCacheDir = mkdtempSync(join(tmpdir(), 'hearth-windows-bench-kept-'));

  // One window as today: the engine inside its own server.
  const single = await session({ settings: { ...base, sharedEngine: false }, windowCacheDir });
  let singleRss: number;
  let today: number[];
  try {
    const typist = new Typist(single, 'untitled:today.ts', format);
    await typist.open();
    await typist.warm();
    today = await typist.firstLines(samples);
    singleRss = rssOf(single.pid);
  } finally {
    await single.stop();
  }

  const runtime = mkdtempSync(join(tmpdir(), 'hearth-windows-bench-'));
  const engineDir = join(runtime, 'hearth');
  const shared: Config = { settings: { ...base, sharedEngine: true, sharedEngineIdleMinutes: 0 }, env: { XDG_RUNTIME_DIR: runtime }, windowCacheDir };
  const windows: LspSession[] = [];
  try {
    for (let i = 0; i < 3; i++) windows.push(await session(shared));
    const [a, b, c] = windows as [LspSession, LspSession, LspSession];
    await b.windowFocus(false);
    await c.windowFocus(false);
    const typist = new Typist(a, 'untitled:a.ts', format);
    await typist.open();
    await typist.warm();
    const alone = await typist.firstLines(samples);
    // The two other windows open files and rest in their middles: the engine warms their whole windows meanwhile.
    const rest = async (lsp: LspSession, uri: string, languageId: string, text: string) => {
      await lsp.open(uri, languageId, text);
      const at = position(text, text.indexOf('\n', Math.floor(text.length / 2)) + 1);
      await lsp.cursorRest(uri, 1, at);
      return at;
    };
    const restB = await rest(b, 'untitled:b.py', 'python', shlex);
    const restC = await rest(c, 'untitled:c.ts', 'typescript', format.replaceAll('format', 'layout'));
    await delay(500);
    const whileWarming = await typist.firstLines(samples);
    const engine = enginePid(engineDir);
    const processes = { windows: windows.map((w) => round(rssOf(w.pid), 1)), engine: round(rssOf(engine), 1) };
    const totalRss = processes.windows.reduce((sum, x) => sum + x, 0) + processes.engine;

    // The engine killed while each window waits for a completion where its user is (the typing window after what it
    // typed, the two others where their cursors rest), and each window asks there again until it is answered.
    const uris = ['untitled:a.ts', 'untitled:b.py', 'untitled:c.ts'];
    const cursors = [typist.cursor, restB, restC];
    const inFlight = windows.map((w, i) => w.requestCompletion(uris[i]!, cursors[i]!).result.then(() => true, () => true));
    await delay(100);
    process.kill(engine!, 'SIGKILL');
    const killed = performance.now();
    const settled = await Promise.all(inFlight.map((answered) => Promise.race([answered, delay(30_000).then(() => false)])));
    const recovered = await Promise.all(
      windows.map(async (w, i) => {
        for (;;) {
          const metrics = await (async () => {
            await w.complete(uris[i]!, cursors[i]!);
            return w.nextMetrics(60_000);
          })();
          if (metrics.outcome === 'served' || metrics.outcome === 'empty') return performance.now() - killed;
          if (performance.now() - killed > 60_000) return Number.POSITIVE_INFINITY;
          await delay(100);
        }
      }),
    );
    return {
      model: 'Qwen2.5-Coder-0.5B-shaped, random weights, Q8_0, 1 thread',
      windows: 3,
      rssRatio: round(totalRss / Math.max(1, singleRss)),
      focusedSlowdown: round(percentile(whileWarming, 50) / Math.max(1e-9, percentile(alone, 50))),
      recoveryMs: Math.round(Math.max(...recovered)),
      unanswered: settled.filter((answered) => !answered).length,
      details: {
        memoryMiB: { oneWindowToday: round(singleRss, 1), ...processes, total: round(totalRss, 1) },
        firstLineMsP50: { oneWindowToday: p50(today), alone: p50(alone), othersWarming: p50(whileWarming) },
        firstLineMs: { alone: alone.map((x) => round(x, 1)), othersWarming: whileWarming.map((x) => round(x, 1)) },
        recoveryMsByWindow: recovered.map((x) => Math.round(x)),
        samples,
      },
    };
  } finally {
    await Promise.all(windows.map((w) => w.stop()));
    rmSync(runtime, { recursive: true, force: true });
    rmSync(windowCacheDir, { recursive: true, force: true });
  }
}

export function renderWindows(result: Awaited<ReturnType<typeof windowsBenchmark>>, command: string): string {
  const { memoryMiB, firstLineMsP50 } = result.details;
  return `## One engine for every window

Made by \`${command}\` (tools/src/windowsBench.ts) on ${new Date().toISOString().slice(0, 10)}, on this project's 2-core machine.
${result.model}; ${result.windows} language servers as ${result.windows} windows with \`hearth.sharedEngine\` on (one engine process), against one
window with its own engine (the setting off); all with the kept-windows folder as the client gives it. The first window types at the end of a line of format.ts (365 lines),
each request awaited (${result.details.samples} keys), once its whole window is in the prompt; the two others are not focused.

| measure | value |
| --- | --- |
| resident memory, all Hearth processes ÷ one window today (\`rssRatio\`) | **${result.rssRatio}** (${memoryMiB.windows.join(' + ')} MiB windows + ${memoryMiB.engine} MiB engine = ${memoryMiB.total} MiB; one window today ${memoryMiB.oneWindowToday} MiB) |
| focused window's first line p50 while the others warm their files ÷ with them idle (\`focusedSlowdown\`) | **${result.focusedSlowdown}** (${firstLineMsP50.othersWarming} ms ÷ ${firstLineMsP50.alone} ms; one window today ${firstLineMsP50.oneWindowToday} ms) |
| engine killed, a request in flight in each window → every window completing again at its cursor (\`recoveryMs\`) | **${result.recoveryMs} ms** (${result.details.recoveryMsByWindow.join(', ')}) |
| requests left unanswered (\`unanswered\`) | **${result.unanswered}** |

JSON (\`--json FILE\`, key \`windows\`): \`rssRatio\`, \`focusedSlowdown\`, \`recoveryMs\`, \`unanswered\`.
`;
}
