// Lets one user of the model's sequences at a time in; waiting callers are let in by priority, then in arrival order.
// Lower-priority work asks between its steps whether someone above it waits and gives way: ghost text (completion)
// before explain/refactor (instruct) before background warming.

export const LockPriority = { background: 0, instruct: 1, completion: 2 } as const;
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
      else this.enqueue({ priority, grant });
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
