// The completion requests the server is answering. Inline suggestions show only in the editor being typed in, so a
// request for one document ends those still running for other documents (the user has moved on): a request then
// waits behind at most the generation of its own document's previous keystroke (which may go on, typed through).
// Each request learns how many live requests were ahead of it, for the metrics (the load test holds it to one).

export class InFlightRequests {
  private readonly byUri = new Map<string, Set<AbortController>>();

  /** Registers a request; aborts other documents' requests; says how many live ones it waits behind. */
  admit(uri: string, controller: AbortController): { ahead: number; release(): void } {
    for (const [other, controllers] of this.byUri) {
      if (other === uri) continue;
      for (const running of controllers) running.abort();
    }
    let ahead = 0;
    for (const controllers of this.byUri.values()) for (const running of controllers) if (!running.signal.aborted) ahead++;
    const mine = this.byUri.get(uri) ?? new Set();
    mine.add(controller);
    this.byUri.set(uri, mine);
    return {
      ahead,
      release: () => {
        mine.delete(controller);
        if (mine.size === 0 && this.byUri.get(uri) === mine) this.byUri.delete(uri);
      },
    };
  }
}
