// One KV sequence per active document: switching between two files keeps both prompts' KV state. When every
// sequence holds a document, the least recently used one is handed to the new document.

export class SequenceSlots<T> {
  /** Keys (documents) by slot; undefined for a slot not yet given out. */
  private readonly keys: Array<string | undefined>;
  /** Slot indexes, least recently used first. */
  private readonly order: number[];

  private readonly items: readonly T[];

  constructor(items: readonly T[]) {
    if (items.length === 0) throw new Error('SequenceSlots needs at least one sequence');
    this.items = [...items];
    this.keys = items.map(() => undefined);
    this.order = items.map((_, i) => i);
  }

  /** The sequence for `key`: its own, else a free one, else the least recently used; `reassigned` when taken over. */
  acquire(key: string): { item: T; reassigned: boolean } {
    let slot = this.keys.indexOf(key);
    const reassigned = slot < 0;
    if (slot < 0) {
      slot = this.keys.indexOf(undefined);
      if (slot < 0) slot = this.order[0]!;
      this.keys[slot] = key;
    }
    this.order.splice(this.order.indexOf(slot), 1);
    this.order.push(slot);
    return { item: this.items[slot]!, reassigned };
  }

  /** The documents that hold a sequence, with it, the most recently used first. */
  held(): Array<{ key: string; item: T }> {
    return [...this.order].reverse().flatMap((slot) => {
      const key = this.keys[slot];
      return key === undefined ? [] : [{ key, item: this.items[slot]! }];
    });
  }

  /** The sequence a document would get without changing anything (for tests and logs). */
  holder(key: string): T | undefined {
    const slot = this.keys.indexOf(key);
    return slot < 0 ? undefined : this.items[slot];
  }
}
