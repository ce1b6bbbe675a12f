// Lets one user of the model's sequences at a time in; waiting callers are let in by priority, then in arrival order.
// Lower-priority work asks between its steps whether someone above it waits and gives way: ghost text (completion)
// in the window the user is in, then ghost text in the user's other windows (on a shared engine), before
// explain/refactor (instruct) before background warming.

export const LockPriority = { background: 0, instruct: 1, otherWindow: 2, completion: 3 } as const;
export type LockPriority = (typeof LockPriority)[keyof typeof LockPriority];

interface Waiter {
  priority: LockPriority;
  grant: () => void;
}

export class ExclusiveLock {
  private held = false;
  private readonly queue: Waiter[] = [];
  private idleWaiters: Array<() => void> = [];

  /** Resolves once no one holds the lock or waits for it. */
  idle(): Promise<void> {
    if (!this.held && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Callers waiting for the lock (not counting the holder). */
  get waiting(): number {
    return this.queue.length;
  }

  /** Callers waiting with at least `priority`. */
  waitingAtLeast(priority: LockPriority): number {
    return this.queue.filter((waiter) => waiter.priority >= priority).length;
  }

  /** Resolves with a release function once the lock is this caller's (completion priority unless told). */
  acquire(priority: LockPriority = LockPriority.completion): Promise<() => void> {
    return this.acquireWith(priority, () => undefined);
  }

  /**
   * Like acquire, but a caller whose signal aborts while it waits leaves the queue at once and gets undefined: a
   * cancelled request does not hold up those behind it, nor count as someone waiting (background work would give way
   * to it).
   */
  acquireUnlessAborted(signal: AbortSignal, priority: LockPriority = LockPriority.completion): Promise<(() => void) | undefined> {
    if (signal.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      let waiter: Waiter | undefined;
      const onAbort = () => {
        const at = waiter ? this.queue.indexOf(waiter) : -1;
        if (at < 0) return; // granted meanwhile: the caller sees the abort itself
        this.queue.splice(at, 1);
        resolve(undefined);
      };
      void this.acquireWith(priority, (w) => (waiter = w)).then((release) => {
        signal.removeEventListener('abort', onAbort);
        resolve(release);
      });
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private acquireWith(priority: LockPriority, queued: (waiter: Waiter) => void): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        this.held = true;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.held = false;
          this.next();
        });
      };
      if (!this.held && this.queue.length === 0) grant();
      else {
        const waiter = { priority, grant };
        queued(waiter);
        this.enqueue(waiter);
      }
    });
  }

  private enqueue(waiter: Waiter): void {
    // After every waiter of the same or a higher priority: first come, first served within a priority.
    let at = this.queue.length;
    while (at > 0 && this.queue[at - 1]!.priority < waiter.priority) at--;
    this.queue.splice(at, 0, waiter);
  }

  private next(): void {
    const waiter = this.queue.shift();
    if (waiter) {
      waiter.grant();
      return;
    }
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
