// The awaited replay: a person types a block of lines into the middle of a real file, one key at a time, and each
// request is answered before the next key (as a slow typist, or a measurement that wants every request's whole cost,
// sees it). Every request's figures are kept in order, so a decode step that grows over the session shows.
import { type CompletionMetrics, cursorRestMs } from '../../common/protocol';
import { type Config, delay, position, request, session, Tally } from './replay';

export interface AwaitedStep {
  /** Seconds since the replay started. */
  at: number;
  /** Keystroke → first ghost line at the client (undefined: nothing shown). */
  firstLineMs: number | undefined;
  metrics: CompletionMetrics;
}

export interface AwaitedReplayInput {
  text: string;
  languageId: string;
  extension: string;
  /** The block typed again: removed from `text` (its first occurrence), then typed key by key, newlines included. */
  block: string;
}

/** The file without the block, and where the block was: where a replay types it again. */
export function withoutBlock(input: AwaitedReplayInput): { at: number; text: string } {
  const at = input.text.indexOf(input.block);
  if (at < 0) throw new Error('replay: the block is not in the file');
  return { at, text: input.text.slice(0, at) + input.text.slice(at + input.block.length) };
}

/** Types `input.block` back into `input.text`, awaiting each request's answer; the cold request comes first. */
export async function awaitedReplay(
  config: Config,
  input: AwaitedReplayInput,
  {
    afterTyping,
    afterStep,
  }: {
    /** Runs once the last request is answered and the cursor's rest reported, before the server stops (the user rests). */
    afterTyping?: () => Promise<void>;
    /** Runs after each request is answered, before the next key (a measurement taken in turns with the server's). */
    afterStep?: (steps: readonly AwaitedStep[]) => Promise<void>;
  } = {},
): Promise<AwaitedStep[]> {
  const start = withoutBlock(input);
  const at = start.at;
  let text = start.text;
  const lsp = await session(config);
  const steps: AwaitedStep[] = [];
  try {
    const uri = `untitled:awaited.${input.extension}`;
    let version = 1;
    await lsp.open(uri, input.languageId, text);
    const started = performance.now();
    for (let typed = 0; typed <= input.block.length; typed++) {
      if (typed > 0) {
        text = text.slice(0, at + typed - 1) + input.block[typed - 1] + text.slice(at + typed - 1);
        await lsp.replaceText(uri, ++version, text);
      }
      const tally = new Tally();
      await request(lsp, tally, uri, position(text, at + typed)).shown;
      const metrics = await lsp.nextMetrics();
      steps.push({ at: (performance.now() - started) / 1000, firstLineMs: tally.firstLineMs[0], metrics });
      await afterStep?.(steps);
    }
    // The user rests after the last key: the client reports where the cursor rests, as it does after any pause.
    await delay(cursorRestMs);
    await lsp.cursorRest(uri, version, position(text, at + input.block.length));
    await afterTyping?.();
  } finally {
    await lsp.stop();
  }
  return steps;
}
