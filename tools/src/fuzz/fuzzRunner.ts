// Runs fuzz cases through a child process (fuzzWorker.ts), one at a time, and classifies each: refused (by Hearth's
// validation or by llama.cpp, with the message a user would see), loaded, or a failure — the child crashed, hung past
// the time limit, or grew past the memory bound. After a failure the child is replaced and the run goes on.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FuzzReply } from './fuzzWorker';
import { parseGgufLayout } from './ggufLayout';
import { makeMutant, type MutationKind } from './mutations';
import { processStatusMiB } from '../processMemory';

export interface FuzzOptions {
  modelPath: string;
  seed: number;
  /** Case indexes to run. */
  indexes: readonly number[];
  /** A case that takes longer is a hang. */
  timeoutMs: number;
  /** A child whose resident memory passes this is stopped: the case failed. */
  memoryLimitMiB: number;
  workerScript: string;
  onCase?(result: CaseResult): void;
}

export interface CaseResult {
  index: number;
  kind: MutationKind;
  description: string;
  outcome: FuzzReply['outcome'] | 'crash' | 'hang' | 'memory';
  message: string;
  ms: number;
}

export interface FuzzReport {
  seed: number;
  cases: number;
  crashes: number;
  hangs: number;
  /** Cases stopped at the memory bound (a failure, like a crash). */
  overMemory: number;
  refused: number;
  loaded: number;
  maxRssMiB: number;
  byKind: Record<string, { cases: number; refused: number; loaded: number; failed: number }>;
  failures: CaseResult[];
  seconds: number;
}

/** Resident memory of a process, MiB (Linux; 0 where /proc is not there). */
const rssMiB = (pid: number): number => processStatusMiB(pid, 'VmRSS') ?? 0;

class Worker {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  exited: { code: number | null; signal: string | null } | undefined;
  private waiting: ((reply: FuzzReply | undefined) => void) | undefined;

  constructor(script: string) {
    this.child = fork(script, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.child.stderr?.resume();
    let readyResolve!: () => void;
    this.ready = new Promise((resolve) => (readyResolve = resolve));
    this.child.on('message', (message: FuzzReply | { ready: true }) => {
      if ('ready' in message) readyResolve();
      else this.waiting?.(message);
    });
    this.child.on('exit', (code, signal) => {
      this.exited = { code, signal };
      readyResolve();
      this.waiting?.(undefined);
    });
  }

  /** The child's reply, or undefined when it exited first. */
  run(index: number, path: string): Promise<FuzzReply | undefined> {
    return new Promise((resolve) => {
      this.waiting = (reply) => {
        this.waiting = undefined;
        resolve(reply);
      };
      if (this.exited) return this.waiting(undefined);
      this.child.send({ index, path });
    });
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const original = readFileSync(options.modelPath);
  const layout = parseGgufLayout(original);
  const dir = mkdtempSync(join(tmpdir(), 'hearth-fuzz-'));
  const report: FuzzReport = { seed: options.seed, cases: 0, crashes: 0, hangs: 0, overMemory: 0, refused: 0, loaded: 0, maxRssMiB: 0, byKind: {}, failures: [], seconds: 0 };
  let worker = new Worker(options.workerScript);
  try {
    for (const index of options.indexes) {
      const mutant = makeMutant(original, layout, options.seed, index);
      const path = join(dir, `case-${index}.gguf`);
      writeFileSync(path, mutant.buffer);
      await worker.ready;
      const caseStart = performance.now();
      let stopped: 'hang' | 'memory' | undefined;
      const watch = setInterval(() => {
        const rss = rssMiB(worker.child.pid!);
        report.maxRssMiB = Math.max(report.maxRssMiB, rss);
        if (rss > options.memoryLimitMiB) {
          stopped = 'memory';
          worker.kill();
        } else if (performance.now() - caseStart > options.timeoutMs) {
          stopped = 'hang';
          worker.kill();
        }
      }, 25);
      const reply = await worker.run(index, path);
      clearInterval(watch);
      report.maxRssMiB = Math.max(report.maxRssMiB, worker.exited ? 0 : rssMiB(worker.child.pid!));
      rmSync(path, { force: true });
      const result: CaseResult = reply
        ? { index, kind: mutant.kind, description: mutant.description, outcome: reply.outcome, message: reply.message, ms: performance.now() - caseStart }
        : { index, kind: mutant.kind, description: mutant.description, outcome: stopped ?? 'crash', message: stopped ? `stopped: ${stopped}` : `child exited (code ${worker.exited?.code}, signal ${worker.exited?.signal})`, ms: performance.now() - caseStart };
      report.cases++;
      const kind = (report.byKind[mutant.kind] ??= { cases: 0, refused: 0, loaded: 0, failed: 0 });
      kind.cases++;
      if (result.outcome === 'loaded') {
        report.loaded++;
        kind.loaded++;
      } else if (result.outcome === 'refusedByHearth' || result.outcome === 'refusedByLlamaCpp') {
        report.refused++;
        kind.refused++;
      } else {
        if (result.outcome === 'crash') report.crashes++;
        else if (result.outcome === 'hang') report.hangs++;
        else report.overMemory++;
        kind.failed++;
        report.failures.push(result);
        worker.kill();
        await new Promise<void>((resolve) => (worker.exited ? resolve() : worker.child.once('exit', () => resolve())));
        worker = new Worker(options.workerScript);
      }
      options.onCase?.(result);
    }
  } finally {
    worker.kill();
    rmSync(dir, { recursive: true, force: true });
  }
  report.maxRssMiB = Math.round(report.maxRssMiB);
  report.seconds = Math.round((performance.now() - started) / 100) / 10;
  return report;
}
