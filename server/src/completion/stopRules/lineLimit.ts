// Stops once the completion has as many lines as allowed; the line break that would start one more is cut.
import type { StopRule } from './stopRule';

export function lineLimit(maxLines: number): StopRule {
  return (generated) => {
    let index = -1;
    for (let line = 0; line < maxLines; line++) {
      index = generated.indexOf('\n', index + 1);
      if (index < 0) return undefined;
    }
    return index;
  };
}
