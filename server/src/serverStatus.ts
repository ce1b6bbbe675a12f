// Folds the model's state and the number of running generations into the one status the client shows.
import type { ServerStatus, StatusAction } from '../../common/protocol';
import type { Remedy } from './errors';
import type { ModelState } from './model/modelHost';

/** The client's command for each remedy the server names. */
export const commandFor: Record<Remedy, StatusAction> = { chooseModel: 'hearth.selectModel', showLog: 'hearth.showLog', restartServer: 'hearth.restartServer' };

export class ServerStatusReporter {
  private model: ModelState = { state: 'loading', message: 'Starting…' };
  private generations = 0;
  private sharedEngine: ServerStatus['sharedEngine'];
  private lastSent = '';

  constructor(private readonly send: (status: ServerStatus) => void) {}

  setModelState(state: ModelState): void {
    this.model = state;
    this.publish();
  }

  /** The shared engine the model runs in (how many windows use it, its log), or undefined: it runs in this server. */
  setSharedEngine(engine: ServerStatus['sharedEngine']): void {
    this.sharedEngine = engine;
    this.publish();
  }

  /** Marks one generation as running; the returned function ends it (idempotent). */
  beginGeneration(): () => void {
    this.generations++;
    this.publish();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.generations--;
      this.publish();
    };
  }

  current(): ServerStatus {
    const state = this.model.state === 'ready' && this.generations > 0 ? 'generating' : this.model.state;
    const action = this.model.action && commandFor[this.model.action];
    return { state, message: this.model.message, model: this.model.model, action, ...(this.sharedEngine ? { sharedEngine: this.sharedEngine } : {}) };
  }

  private publish(): void {
    const status = this.current();
    const key = JSON.stringify(status);
    if (key === this.lastSent) return;
    this.lastSent = key;
    this.send(status);
  }
}
