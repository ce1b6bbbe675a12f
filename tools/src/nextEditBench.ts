// Next edits on a real-sized model: the Qwen2.5-Coder-0.5B-shaped model as the next-edit model, one thread, a real
// 365-line file (test/fixtures/realFiles/format.ts). An edit in the middle of the file, then keystrokes on that line,
// a next-edit request after each (awaited, as a pause in typing sends one): how many prompt tokens each follow-up
// evaluates against the tokens typed and the editable block, what the prompt held, and how long each took. Random
// weights: the answer is noise and runs to its token limit (a real model ends its block), so the times are the prompt's
// and that limit's, not a real suggestion's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NextEditResult } from '../../common/protocol';
import { LspSession } from './lspSession';
import { round } from './replay';
import { ensureShapedModel, qwen25Coder05bShape } from './shapedModel';

const realFile = join(__dirname, '..', '..', 'test', 'fixtures', 'realFiles', 'format.ts');
const serverPath = join(__dirname, '..', '..', 'dist', 'server.js');

export async function nextEditBenchmark(quick: boolean) {
  const modelPath = await ensureShapedModel();
  const text = readFileSync(realFile, 'utf8');
  const lines = text.split('\n');
  const session = await LspSession.start({ serverPath, settings: { threads: 1, gpu: 'off', nextEditModelPath: modelPath, logLevel: 'info' } });
  try {
    const status = await session.waitForStatus((s) => s.state === 'ready' || s.state === 'error', 300_000);
    if (status.state === 'error') throw new Error(status.message);
    const uri = 'untitled:bench.ts';
    await session.open(uri, 'typescript', text);
    // The edit: a line in the middle gets a new argument; then keystrokes at its end.
    const at = lines.findIndex((line, i) => i > lines.length / 2 && /\)\s*;\s*$/.test(line));
    const edited = [...lines];
    let version = 1;
    const ask = async (line: string): Promise<{ result: NextEditResult; ms: number }> => {
      edited[at] = line;
      await session.replaceText(uri, ++version, edited.join('\n'));
      const started = performance.now();
      const result = await session.nextEdit({ uri, version, position: { line: at, character: line.length } }).result;
      if (!result.metrics) throw new Error(`no next-edit metrics: ${result.reason}`);
      return { result, ms: performance.now() - started };
    };
    const base = lines[at]!.replace(/\)\s*;\s*$/, '');
    const first = await ask(`${base}, options);`);
    const typed = quick ? ['x', 'y', 'z'] : ['x', 'y', 'z', '1', '2', '3'];
    const followups: Array<{ evaluated: number; prompt: number; changed: number; ms: number; generated: number }> = [];
    let suffix = '';
    for (const char of typed) {
      suffix += char;
      const { result, ms } = await ask(`${base}, options${suffix});`);
      const m = result.metrics!;
      followups.push({ evaluated: m.promptTokens - m.reusedPromptTokens, prompt: m.promptTokens, changed: await session.countTokens(char), ms: round(ms, 0), generated: m.generatedTokens });
    }
    const block = edited.slice(Math.max(0, at - 10), at + 11).join('\n');
    const editableBlockTokens = await session.countTokens(block);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
    return {
      model: `Qwen2.5-Coder-0.5B-shaped (${qwen25Coder05bShape.layers} layers), random weights, Q8_0, 1 thread`,
      promptTokensPerFollowup: round(mean(followups.map((f) => f.evaluated)), 1),
      tokensChangedPerFollowup: round(mean(followups.map((f) => f.changed)), 1),
      editableBlockTokens,
      details: {
        line: at + 1,
        first: { promptTokens: first.result.metrics!.promptTokens, generatedTokens: first.result.metrics!.generatedTokens, ms: round(first.ms, 0) },
        followups,
      },
    };
  } finally {
    await session.stop();
  }
}

export function renderNextEdit(result: Awaited<ReturnType<typeof nextEditBenchmark>>, command: string): string {
  const { first, followups } = result.details;
  return `## Next edits

Made by \`${command}\` (tools/src/nextEditBench.ts) on ${new Date().toISOString().slice(0, 10)}, on this project's 2-core machine.
${result.model} as the next-edit model; format.ts (365 lines): line ${result.details.line} gets a new argument, then
${followups.length} keystrokes at its end, a next-edit request after each, awaited. The prompt: ~300 lines of the file before the last edit, the
definitions the context stage finds, the earlier edits, the 21-line block before the last edit and now.

| measure | value |
| --- | --- |
| first request: prompt tokens, all evaluated | ${first.promptTokens} (${first.ms} ms, ${first.generatedTokens} tokens generated) |
| prompt tokens evaluated per follow-up (\`promptTokensPerFollowup\`) | **${result.promptTokensPerFollowup}** (of ${followups.map((f) => f.prompt).join(', ')}) |
| tokens typed per follow-up (\`tokensChangedPerFollowup\`) | ${result.tokensChangedPerFollowup} |
| the editable block (\`editableBlockTokens\`) | ${result.editableBlockTokens} tokens |
| follow-up time (ms; random weights write to the token limit) | ${followups.map((f) => `${f.ms} (${f.generated} generated)`).join(', ')} |

Target: a follow-up evaluates ≤ 2 × the tokens changed + the editable block = ${round(2 * result.tokensChangedPerFollowup + result.editableBlockTokens, 1)} tokens.

JSON (\`--json FILE\`, key \`nextEdit\`): \`promptTokensPerFollowup\`, \`tokensChangedPerFollowup\`, \`editableBlockTokens\`.
`;
}
