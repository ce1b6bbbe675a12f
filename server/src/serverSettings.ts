// The server's one view of the user's settings: pulled with workspace/configuration where the client supports it
// (else read from the initialization options and pushed changes), applied to every part that listens, in the order
// they subscribed. A failure to apply is logged here, once, for all of them.
import { homedir } from 'node:os';
import { type Connection, DidChangeConfigurationNotification, type InitializeParams } from 'vscode-languageserver/node';
import type { HearthInitializationOptions } from '../../common/protocol';
import { defaultSettings, type HearthSettings, parseSettings, settingsSection } from '../../common/settings';
import { describeError } from './errors';
import type { Feature } from './feature';
import type { Logger } from './logger';

export type SettingsListener = (settings: HearthSettings) => void | Promise<void>;
export type SettingsConnection = Pick<Connection, 'onDidChangeConfiguration'> & {
  workspace: Pick<Connection['workspace'], 'getConfiguration'>;
  client: Pick<Connection['client'], 'register'>;
};

export class ServerSettings implements Feature {
  private value: HearthSettings = defaultSettings;
  private pull = false;
  private readonly listeners: SettingsListener[] = [];
  /** Other sections this server reads (files.exclude): registered for change notifications beside Hearth's own. */
  private readonly sections = new Set<string>();

  constructor(
    private readonly connection: SettingsConnection,
    private readonly log: Logger,
    private readonly home = homedir(),
  ) {
    connection.onDidChangeConfiguration((change) => {
      if (!this.pull) this.value = parseSettings((change.settings as Record<string, unknown> | undefined)?.[settingsSection], this.home);
      void this.apply();
    });
  }

  get current(): HearthSettings {
    return this.value;
  }

  /** Whether the client answers workspace/configuration (a client without it pushes settings with each change). */
  get pullsConfiguration(): boolean {
    return this.pull;
  }

  /** Called with the settings each time they are applied: at start, on every change, and when asked to (`apply`). */
  onChange(listener: SettingsListener): void {
    this.listeners.push(listener);
  }

  /** Another section of the editor's configuration; `{}` where the client cannot be asked. */
  async section(name: string): Promise<Record<string, unknown>> {
    if (!this.pull) return {};
    return ((await this.connection.workspace.getConfiguration({ section: name })) as Record<string, unknown> | null) ?? {};
  }

  /** Registers a section to be told of its changes (before `initialized`, where registration happens). */
  watchSection(name: string): void {
    this.sections.add(name);
  }

  initialize(params: InitializeParams): void {
    this.pull = params.capabilities.workspace?.configuration === true;
    const options = (params.initializationOptions ?? {}) as HearthInitializationOptions;
    if (!this.pull) this.value = parseSettings(options.settings, this.home);
  }

  initialized(): void {
    if (this.pull) void this.connection.client.register(DidChangeConfigurationNotification.type, { section: [settingsSection, ...this.sections] });
    void this.apply();
  }

  /** Reads the settings again (where the client can be asked) and hands them to every listener; never throws. */
  async apply(): Promise<void> {
    const failed = (error: unknown) => this.log.error(`Applying settings failed: ${describeError(error)}`);
    try {
      if (this.pull) this.value = parseSettings(await this.connection.workspace.getConfiguration({ section: settingsSection }), this.home);
    } catch (error) {
      return failed(error);
    }
    const settings = this.value;
    this.log.setLevel(settings.logLevel);
    // Started in the order subscribed (a cache is cleared before a model loads), finished together; one failing
    // does not keep the others from their settings.
    const results = await Promise.allSettled(this.listeners.map(async (listener) => listener(settings)));
    for (const result of results) if (result.status === 'rejected') failed(result.reason);
  }
}
