// Requests whose progress comes as notifications carrying the request's id (hearth/instructProgress,
// hearth/pullProgress): one place on each side hands out the ids and routes each notification to its request.

export class ProgressRoutes {
  private readonly listeners = new Map<string, (progress: never) => void>();
  private count = 0;

  /** A fresh id whose notifications go to `listener` until `close()`. */
  open<T extends { id: string }>(prefix: string, listener: (progress: T) => void): { id: string; close(): void } {
    const id = `${prefix}-${++this.count}`;
    this.listeners.set(id, listener as (progress: never) => void);
    return { id, close: () => this.listeners.delete(id) };
  }

  /**
   * A request with progress, as both sides send it: a fresh id for `send` to put in the request's params, its
   * notifications routed to `listener` until the request settles (answered, failed or cancelled).
   */
  async request<T extends { id: string }, R>(prefix: string, listener: (progress: T) => void, send: (id: string) => PromiseLike<R>): Promise<R> {
    const route = this.open(prefix, listener);
    try {
      return await send(route.id);
    } finally {
      route.close();
    }
  }

  /** Hands a notification to the request it belongs to; one for a request already ended is dropped. */
  deliver(progress: { id: string }): void {
    this.listeners.get(progress.id)?.(progress as never);
  }
}
