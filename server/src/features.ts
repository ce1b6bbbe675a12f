// The speed features that can be switched off one at a time, so the benchmark can measure what each is worth.
// Users never need this: it is read once, from the HEARTH_DISABLE environment variable (comma-separated names),
// by the composition root.

export interface Features {
  /** Keep the KV state of the prompt prefix the previous request evaluated. */
  kvReuse: boolean;
  /** Serve repeated and typed-through cursor contexts from the completion cache. */
  cache: boolean;
  /** Let a generation go on when the keystroke that cancelled it typed what the model was writing. */
  keepGoing: boolean;
  /** Send a multi-line completion's first line as soon as it is complete. */
  streaming: boolean;
  /** Put code from other files (definitions, recent edits, similar snippets) in the prompt. */
  context: boolean;
  /** Prefix-first prompts anchored at the start of the line being written (server/src/model/promptPlanner.ts). */
  promptAnchor: boolean;
  /** Cut a prompt whose uncached part would take too long to a quick one, and warm the whole window later. */
  latencyBudget: boolean;
  /** Switch speculation off at load where verifying proposals costs more than it can save on this machine. */
  speculationCostCheck: boolean;
}

export const featureNames: readonly (keyof Features)[] = ['kvReuse', 'cache', 'keepGoing', 'streaming', 'context', 'promptAnchor', 'latencyBudget', 'speculationCostCheck'];

export function parseDisabledFeatures(value: string | undefined): { features: Features; unknown: string[] } {
  const features: Features = { kvReuse: true, cache: true, keepGoing: true, streaming: true, context: true, promptAnchor: true, latencyBudget: true, speculationCostCheck: true };
  const unknown: string[] = [];
  for (const name of (value ?? '').split(',').map((part) => part.trim()).filter(Boolean)) {
    if ((featureNames as readonly string[]).includes(name)) features[name as keyof Features] = false;
    else unknown.push(name);
  }
  return { features, unknown };
}
