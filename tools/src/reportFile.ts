// docs/BENCHMARKS.md is written by several tools (bench, eval, index bench): each owns one marked section of it
// and rewrites only that, so a run of one never erases the figures of another.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const benchmarksFile = join(__dirname, '..', '..', 'docs', 'BENCHMARKS.md');
const order = ['realFile', 'speculation', 'instruct', 'speed', 'index', 'eval'];

export function writeReportSection(name: string, markdown: string, file = benchmarksFile): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (!text.startsWith('# Benchmarks')) {
    text = `# Benchmarks\n\nFigures measured on this project's 2-core machine. Each section is rewritten by the command named in it.\n`;
  }
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
