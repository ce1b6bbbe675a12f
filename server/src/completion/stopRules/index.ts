// The stop rules of one request, in the order they are checked after each token.
import type { StopRule } from './stopRule';
import { lineLimit } from './lineLimit';
import { stopAtBlockClose } from './stopAtBlockClose';
import { stopAtSuffixOverlap } from './stopAtSuffixOverlap';

export type { StopRule } from './stopRule';

export function stopRulesFor(suffix: string, maxLines: number): StopRule[] {
  return [stopAtSuffixOverlap(suffix), stopAtBlockClose, lineLimit(maxLines)];
}

/** The earliest cut any rule asks for, or undefined when generation goes on. */
export function firstStop(rules: readonly StopRule[], generated: string): number | undefined {
  let cut: number | undefined;
  for (const rule of rules) {
    const at = rule(generated);
    if (at !== undefined && (cut === undefined || at < cut)) cut = at;
  }
  return cut;
}
