// Recent completions, least recently used first out. A lookup also hits when the user has typed the first
// characters of a shown completion: the rest is served without the model ("typed-through").

interface Entry {
  prefix: string;
  suffix: string;
  completion: string;
}

export class CompletionCache {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  private readonly entries = new Map<string, Entry>();

  /** Generations whose result is on its way into the cache. */
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly capacity = 64) {}

  /**
   * A generation has started whose result will be stored (or not) when `stored` resolves. A request that waited for
   * the model waits for this too: the model going idle does not mean the result is in yet (the kept-going generation
   * of the previous keystroke was missed that way, and the keystroke it typed through got a new generation).
   */
  expect(stored: Promise<void>): void {
    const entry: Promise<void> = stored.catch(() => undefined).finally(() => this.pending.delete(entry));
    this.pending.add(entry);
  }

  /** Resolves once every expected result is stored. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The completion for this cursor context, or undefined. */
  get(prefix: string, suffix: string): string | undefined {
    const exact = this.entries.get(keyOf(prefix, suffix));
    if (exact) {
      this.touch(exact);
      return exact.completion;
    }
    for (const entry of this.entries.values()) {
      if (entry.suffix !== suffix || prefix.length <= entry.prefix.length || !prefix.startsWith(entry.prefix)) continue;
      const typed = prefix.slice(entry.prefix.length);
      if (entry.completion.length > typed.length && entry.completion.startsWith(typed)) {
        this.touch(entry);
        return entry.completion.slice(typed.length);
      }
    }
    return undefined;
  }

  set(prefix: string, suffix: string, completion: string): void {
    if (completion === '') return;
    const entry = { prefix, suffix, completion };
    this.entries.delete(keyOf(prefix, suffix));
    this.entries.set(keyOf(prefix, suffix), entry);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }

  private touch(entry: Entry): void {
    const key = keyOf(entry.prefix, entry.suffix);
    this.entries.delete(key);
    this.entries.set(key, entry);
  }
}

function keyOf(prefix: string, suffix: string): string {
  return `${prefix.length}:${suffix.length}\u0000${prefix}\u0000${suffix}`;
}
