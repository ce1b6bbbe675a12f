// docs/BENCHMARKS.md is written by several tools (bench, eval, index bench), docs/RELIABILITY.md by the fuzzer and the
// reliability tests' tools: each owns one marked section of its document and rewrites only that, so a run of one
// never erases the figures of another.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ReportDocument {
  path: string;
  heading: string;
  intro: string;
  /** Sections in the order they appear, whichever tool ran first. */
  order: readonly string[];
}

export const benchmarksDocument: ReportDocument = {
  path: join(__dirname, '..', '..', 'docs', 'BENCHMARKS.md'),
  heading: '# Benchmarks',
  intro: "Figures measured on this project's 2-core machine. Each section is rewritten by the command named in it.",
  order: ['realFile', 'windows', 'nextEdit', 'speculation', 'instruct', 'remote', 'speed', 'index', 'eval'],
};

export const reliabilityDocument: ReportDocument = {
  path: join(__dirname, '..', '..', 'docs', 'RELIABILITY.md'),
  heading: '# Reliability',
  intro: 'What was tried against Hearth, how many cases, what failed before a fix and what holds now. Each section is rewritten by the command named in it.',
  order: ['fuzz', 'hostile', 'faults', 'twoWindows', 'load', 'soak', 'mutation'],
};

/** A section's text as it stands ('' where the document or the section is missing). */
export function readSection(name: string, document: ReportDocument = benchmarksDocument): string {
  const text = existsSync(document.path) ? readFileSync(document.path, 'utf8') : '';
  const start = text.indexOf(`<!-- ${name}:start -->`);
  return start < 0 ? '' : text.slice(start, text.indexOf(`<!-- ${name}:end -->`, start));
}

export function writeReportSection(name: string, markdown: string, document: ReportDocument = benchmarksDocument): void {
  const file = document.path;
  const order = document.order;
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (!text.startsWith(document.heading)) text = `${document.heading}\n\n${document.intro}\n`;
  const at = text.indexOf(start);
  if (at >= 0) {
    text = text.slice(0, at) + block + text.slice(text.indexOf(end, at) + end.length);
  } else {
    // Keep the sections in a fixed order whichever tool ran first.
    const later = order.slice(order.indexOf(name) + 1).map((n) => text.indexOf(`<!-- ${n}:start -->`)).filter((i) => i >= 0);
    const insertAt = later.length > 0 ? Math.min(...later) : text.length;
    text = `${text.slice(0, insertAt).trimEnd()}\n\n${block}\n\n${text.slice(insertAt).trimStart()}`;
  }
  writeFileSync(file, `${text.trimEnd()}\n`);
}
