// Lets one generation at a time use the model's sequence; later callers wait in arrival order.

export class ExclusiveLock {
  private tail: Promise<void> = Promise.resolve();

  /** Resolves once every holder so far has released. */
  idle(): Promise<void> {
    return this.tail;
  }

  /** Resolves with a release function once every earlier holder has released. */
  acquire(): Promise<() => void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => released);
    return ready;
  }
}
