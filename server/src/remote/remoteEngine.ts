// The remote engine's connection: probes the server the settings name (once the user has agreed to send code there),
// holds the CompletionModel for it, says in the status bar and the log which engine and mode are in use, and after a
// failure reconnects with bounded backoff. Its states are the model states the status bar already shows.
import type { FimOrderSetting, RemoteSettings } from '../../../common/settings';
import type { Logger } from '../logger';
import type { ModelState } from '../model/modelHost';
import { RemoteCompletionModel } from './remoteCompletionModel';
import { checkRemoteUrl, RemoteError } from './remoteHttp';
import { probeRemote, type RemoteEngineInfo } from './remoteProbe';

/** Reconnect delays after failures, in seconds: doubling up to a minute. */
export function reconnectDelayS(attempt: number): number {
  return Math.min(60, 2 ** Math.min(attempt, 6));
}

/** Per request: how long the server may take to start answering. */
const requestTimeoutMs = 30_000;

export function describeMode(info: RemoteEngineInfo, slots: RemoteSettings['slots'] = 'server'): string {
  const completions =
    info.fim === undefined
      ? info.kind === 'llama-server'
        ? "llama-server /infill with the model's own FIM tokens (their names are no family Hearth knows: a keystroke re-evaluates the suffix)"
        : 'no fill-in-the-middle tokens known (set hearth.remote.fimFormat)'
      : info.kind === 'llama-server'
        ? `llama-server /completion with Hearth's prompt (${info.fim.family}), prompt cache kept over ${info.slots} slot${info.slots === 1 ? '' : 's'}${slots === 'perDocument' ? ', one per document' : ' chosen by the server'}`
        : `OpenAI-compatible /v1/completions (${info.fim.family} FIM)`;
  return `${completions}; explain/refactor ${info.chat ? 'by /v1/chat/completions' : 'not offered by the server'}`;
}

export interface RemoteEngineOptions {
  log: Logger;
  report(state: ModelState): void;
  /** Spreads clients over a shared server's slots; random by default. */
  slotOffset?: number;
}

export class RemoteEngine {
  private model: RemoteCompletionModel | undefined;
  private applied: string | undefined;
  private settings: RemoteSettings | undefined;
  private fimOrder: FimOrderSetting = 'auto';
  private apiKey: string | undefined;
  private attempt = 0;
  private retry: NodeJS.Timeout | undefined;
  private connecting: AbortController | undefined;
  private readonly slotOffset: number;

  constructor(private readonly options: RemoteEngineOptions) {
    this.slotOffset = options.slotOffset ?? Math.floor(Math.random() * 1024);
  }

  current(): RemoteCompletionModel | undefined {
    return this.model;
  }

  /** Connects to the server these settings name, unless already connected to it with the same settings and key. */
  async configure(settings: RemoteSettings, access: { consented: boolean; apiKey?: string }, fimOrder: FimOrderSetting = 'auto'): Promise<void> {
    const key = JSON.stringify([settings, access.apiKey ?? '', access.consented, fimOrder]);
    if (key === this.applied) return;
    await this.disconnect();
    this.applied = key;
    this.settings = settings;
    this.fimOrder = fimOrder;
    this.apiKey = access.apiKey;
    this.attempt = 0;
    if (settings.url === '') {
      this.options.report({ state: 'error', message: 'hearth.engine is remote but hearth.remote.url is empty: set the URL of your inference server.', action: 'showLog' });
      return;
    }
    if (!access.consented) {
      this.options.report({ state: 'error', message: `Waiting for your agreement to send code to ${settings.url}.` });
      return;
    }
    await this.connect();
  }

  /** A request failed: a server gone or failing is reconnected to with backoff; the status says so meanwhile. */
  noteFailure(error: unknown): void {
    if (!(error instanceof RemoteError) || !error.retryable || !this.model) return;
    const model = this.model;
    this.model = undefined;
    void model.dispose();
    this.scheduleReconnect(error.message, error.retryAfterS);
  }

  async disconnect(): Promise<void> {
    clearTimeout(this.retry);
    this.retry = undefined;
    this.connecting?.abort();
    const model = this.model;
    this.model = undefined;
    this.applied = undefined;
    await model?.dispose();
  }

  private async connect(): Promise<void> {
    const settings = this.settings!;
    const { log, report } = this.options;
    let url: URL;
    try {
      url = checkRemoteUrl(settings.url, settings.allowHttp);
    } catch (error) {
      report({ state: 'error', message: (error as Error).message, action: 'showLog' });
      return;
    }
    const endpoint = { url: url.href.replace(/\/+$/, ''), apiKey: this.apiKey, timeoutMs: requestTimeoutMs };
    report({ state: 'loading', message: `Connecting to ${url.host}…`, model: url.host });
    const connecting = new AbortController();
    this.connecting = connecting;
    try {
      const info = await probeRemote(endpoint, settings, connecting.signal);
      if (connecting.signal.aborted) return;
      this.model = new RemoteCompletionModel({
        endpoint,
        info,
        neverSend: settings.neverSend,
        log,
        slots: settings.slots,
        slotOffset: this.slotOffset,
        fimOrder: this.fimOrder === 'auto' ? undefined : this.fimOrder,
        onRedacted: (found) => log.info(`Remote engine: redacted before sending: ${Object.entries(found).map(([rule, n]) => `${rule} ×${n}`).join(', ')}`),
        onFailure: (error) => this.noteFailure(error),
      });
      this.attempt = 0;
      const mode = describeMode(info, settings.slots);
      log.info(`Remote engine: ${info.model} at ${url.host}: ${mode}`);
      if (info.fim === undefined && info.kind !== 'llama-server') report({ state: 'error', message: `Remote engine ${url.host}: ${mode}`, model: this.model.name, action: 'showLog' });
      else report({ state: 'ready', message: `Remote engine: ${info.model} at ${url.host} — ${mode}`, model: this.model.name });
    } catch (error) {
      if (connecting.signal.aborted) return;
      if (error instanceof RemoteError && error.retryable) this.scheduleReconnect(error.message, error.retryAfterS);
      else report({ state: 'error', message: (error as Error).message, action: 'showLog' });
    }
  }

  /** Tries again after the backoff's delay, or later where the server asked for more (Retry-After on 429/503). */
  private scheduleReconnect(message: string, retryAfterS = 0): void {
    const delay = Math.max(reconnectDelayS(this.attempt++), retryAfterS);
    this.options.log.warn(`Remote engine: ${message} Reconnecting in ${delay} s.`);
    this.options.report({ state: 'error', message: `${message} Reconnecting in ${delay} s.`, action: 'showLog' });
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.connect(), delay * 1000);
    this.retry.unref?.();
  }
}
