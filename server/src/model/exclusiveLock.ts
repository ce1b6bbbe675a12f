// Lets one user of the model's sequences at a time in; later callers wait in arrival order. Background work asks
// `waiting` between steps and gives way to anyone queued.

export class ExclusiveLock {
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;

  /** Resolves once every holder so far has released. */
  idle(): Promise<void> {
    return this.tail;
  }

  /** Callers waiting for the lock (not counting the holder). */
  get waiting(): number {
    return this.queued;
  }

  /** Resolves with a release function once every earlier holder has released. */
  acquire(): Promise<() => void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    this.queued++;
    const ready = this.tail.then(() => {
      this.queued--;
      return release;
    });
    this.tail = this.tail.then(() => released);
    return ready;
  }
}
