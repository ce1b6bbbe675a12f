// One KV sequence per active document: switching between two files keeps both prompts' KV state. When every
// sequence holds a document, the least recently used one is handed to the new document — but never an owner's current
// document (its most recently used one) while another can be taken: where the shared engine serves several windows,
// each window's document keys carry its owner (`ownedKey`), and a window that warms its files does not take the
// sequence of the file another window is typing in.

/** A document's key where several owners (the shared engine's windows) share the sequences. */
export function ownedKey(owner: number, documentKey: string | undefined): string {
  return `w${owner}|${documentKey ?? ''}`;
}

/** Whose document a key is: its owner's part (`w3|`), or '' for a key without one (a window's own engine). */
export function ownerOf(documentKey: string): string {
  return /^w\d+\|/.exec(documentKey)?.[0] ?? '';
}

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

  /**
   * The sequence for `key`: its own, else a free one, else the least recently used that is not its owner's current
   * document (the least recently used of all where every one is); `reassigned` when taken over.
   */
  acquire(key: string): { item: T; reassigned: boolean } {
    let slot = this.keys.indexOf(key);
    const reassigned = slot < 0;
    if (slot < 0) {
      slot = this.keys.indexOf(undefined);
      if (slot < 0) slot = this.order.find((candidate) => !this.isCurrent(candidate)) ?? this.order[0]!;
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

  /**
   * Lets go of the documents `belongs` picks (their window went away): their sequences become free, taken before any
   * other document's. Returns them with the key each held, most recently used first.
   */
  release(belongs: (key: string) => boolean): Array<{ key: string; item: T }> {
    const released = this.held().filter(({ key }) => belongs(key));
    for (const { key } of released) {
      const slot = this.keys.indexOf(key);
      this.keys[slot] = undefined;
      this.order.splice(this.order.indexOf(slot), 1);
      this.order.unshift(slot);
    }
    return released;
  }

  /** Whether the slot holds its owner's most recently used document. */
  private isCurrent(slot: number): boolean {
    const key = this.keys[slot];
    if (key === undefined) return false;
    const owner = ownerOf(key);
    for (let i = this.order.length - 1; i >= 0; i--) {
      const other = this.keys[this.order[i]!];
      if (other !== undefined && ownerOf(other) === owner) return this.order[i] === slot;
    }
    return false;
  }

  /** The sequence a document would get without changing anything (for tests and logs). */
  holder(key: string): T | undefined {
    const slot = this.keys.indexOf(key);
    return slot < 0 ? undefined : this.items[slot];
  }
}
