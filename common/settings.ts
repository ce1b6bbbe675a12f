// The one typed view of Hearth's settings, shared by client and server. The schema and defaults live once, in
// package.json's contributes.configuration; this module turns a raw `hearth` section into a checked object.
import manifest from '../package.json';

export const settingsSection = 'hearth';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'trace';
export type GpuSetting = 'auto' | 'off';
export type FimOrderSetting = 'auto' | 'psm' | 'spm';
export type SpeculationSetting = 'auto' | 'promptLookup' | 'draft' | 'off';
export type EngineSetting = 'local' | 'remote';
export type RemoteFimFormat = 'auto' | 'qwen' | 'starcoder' | 'deepseek' | 'codellama' | 'codestral';

/** The remote engine (`hearth.remote.*`): an inference server the user runs. */
export interface RemoteSettings {
  url: string;
  fimFormat: RemoteFimFormat;
  /** Model name for an OpenAI-compatible server; '' takes the first it lists. */
  model: string;
  /** Which API: llama-server's own where the server is llama-server ('auto'), or one forced. */
  api: 'auto' | 'llama-server' | 'openai';
  allowHttp: boolean;
  /** Glob patterns of files never sent (relative to the workspace, or to any folder with `**`). */
  neverSend: readonly string[];
  fallbackToLocal: boolean;
  /** llama-server's slot for a request: its own choice ('server', by cached prompt), or one per document. */
  slots: 'server' | 'perDocument';
}

export interface HearthSettings {
  /** Global switch for inline completions. */
  enable: boolean;
  /** Per-language switch; the key "*" is the default for languages not listed. */
  enabledLanguages: Readonly<Record<string, boolean>>;
  /** GGUF target model; empty means the bundled tiny model. Machine-scoped. */
  modelPath: string;
  /** GGUF draft model for speculative decoding; empty means none (the bundled draft with the bundled model). */
  draftModelPath: string;
  /** GGUF chat/instruct model for explain and refactor; empty means the completion model. Machine-scoped. */
  chatModelPath: string;
  /** GGUF next-edit model; empty means no next-edit suggestions. Machine-scoped. */
  nextEditModelPath: string;
  /** Next-edit suggestions on (they need `nextEditModelPath`). */
  nextEdits: boolean;
  /** Where models are downloaded from (a Hugging Face mirror, like HF_ENDPOINT); empty means huggingface.co. */
  modelHub: string;
  /** Layout of the FIM prompt; 'auto' picks suffix-first for the bundled model only (see package.json). */
  fimOrder: FimOrderSetting;
  speculation: SpeculationSetting;
  maxLines: number;
  maxTokens: number;
  /** llama.cpp evaluation threads; 0 chooses from the machine (see server/src/model/threadCount.ts). */
  threads: number;
  gpu: GpuSetting;
  /** Disk space (MiB) for evaluated windows kept between sessions; 0 keeps none. Machine-scoped. */
  windowCacheMegabytes: number;
  /** One engine process for all of the user's windows (server/src/sharedEngine); off: each window's server loads its own. */
  sharedEngine: boolean;
  /** Minutes the shared engine stays up with no window. */
  sharedEngineIdleMinutes: number;
  logLevel: LogLevel;
  /** Where completions are computed: this machine, or the server at `remote.url`. */
  engine: EngineSetting;
  remote: RemoteSettings;
}

interface PropertySchema {
  type: string;
  default: unknown;
  enum?: readonly string[];
  minimum?: number;
  maximum?: number;
}

const properties = manifest.contributes.configuration.properties as Record<string, PropertySchema>;

function schemaOf(key: keyof HearthSettings | `remote.${keyof RemoteSettings}`): PropertySchema {
  const schema = properties[`${settingsSection}.${key}`];
  if (!schema) throw new Error(`package.json declares no setting ${settingsSection}.${key}`);
  return schema;
}

export const defaultSettings: HearthSettings = Object.freeze({
  enable: schemaOf('enable').default as boolean,
  enabledLanguages: schemaOf('enabledLanguages').default as Record<string, boolean>,
  modelPath: schemaOf('modelPath').default as string,
  draftModelPath: schemaOf('draftModelPath').default as string,
  chatModelPath: schemaOf('chatModelPath').default as string,
  nextEditModelPath: schemaOf('nextEditModelPath').default as string,
  nextEdits: schemaOf('nextEdits').default as boolean,
  modelHub: schemaOf('modelHub').default as string,
  fimOrder: schemaOf('fimOrder').default as FimOrderSetting,
  speculation: schemaOf('speculation').default as SpeculationSetting,
  maxLines: schemaOf('maxLines').default as number,
  maxTokens: schemaOf('maxTokens').default as number,
  threads: schemaOf('threads').default as number,
  gpu: schemaOf('gpu').default as GpuSetting,
  windowCacheMegabytes: schemaOf('windowCacheMegabytes').default as number,
  sharedEngine: schemaOf('sharedEngine').default as boolean,
  sharedEngineIdleMinutes: schemaOf('sharedEngineIdleMinutes').default as number,
  logLevel: schemaOf('logLevel').default as LogLevel,
  engine: schemaOf('engine').default as EngineSetting,
  remote: Object.freeze({
    url: schemaOf('remote.url').default as string,
    fimFormat: schemaOf('remote.fimFormat').default as RemoteFimFormat,
    model: schemaOf('remote.model').default as string,
    api: schemaOf('remote.api').default as RemoteSettings['api'],
    allowHttp: schemaOf('remote.allowHttp').default as boolean,
    neverSend: Object.freeze([...(schemaOf('remote.neverSend').default as string[])]),
    fallbackToLocal: schemaOf('remote.fallbackToLocal').default as boolean,
    slots: schemaOf('remote.slots').default as RemoteSettings['slots'],
  }),
});

function pickBoolean(raw: Record<string, unknown>, key: keyof HearthSettings): boolean {
  const value = raw[key];
  return typeof value === 'boolean' ? value : (defaultSettings[key] as boolean);
}

function pickString(raw: Record<string, unknown>, key: keyof HearthSettings): string {
  const value = raw[key];
  return typeof value === 'string' ? value.trim() : (defaultSettings[key] as string);
}

/**
 * A file path setting: `~` and `${userHome}` at its start stand for the home folder (as VS Code users write them);
 * anything else is taken as written (a relative path is refused where the file is opened, with a message).
 */
function pickPath(raw: Record<string, unknown>, key: keyof HearthSettings, home: string): string {
  const value = pickString(raw, key);
  const rest = /^(?:~|\$\{userHome\})(?=$|[\\/])/.exec(value);
  return rest && home !== '' ? home + value.slice(rest[0].length) : value;
}

function pickInteger(raw: Record<string, unknown>, key: keyof HearthSettings): number {
  const value = raw[key];
  const schema = schemaOf(key);
  if (typeof value !== 'number' || !Number.isFinite(value)) return defaultSettings[key] as number;
  const min = schema.minimum ?? Number.MIN_SAFE_INTEGER;
  const max = schema.maximum ?? Number.MAX_SAFE_INTEGER;
  return Math.min(max, Math.max(min, Math.round(value)));
}

function pickEnum<T extends string>(raw: Record<string, unknown>, key: keyof HearthSettings): T {
  const value = raw[key];
  const allowed = schemaOf(key).enum ?? [];
  return (typeof value === 'string' && allowed.includes(value) ? value : defaultSettings[key]) as T;
}

function pickLanguageMap(raw: Record<string, unknown>): Record<string, boolean> {
  const value = raw.enabledLanguages;
  const merged: Record<string, boolean> = { ...defaultSettings.enabledLanguages };
  if (value && typeof value === 'object') {
    for (const [language, enabled] of Object.entries(value)) {
      if (typeof enabled === 'boolean') merged[language] = enabled;
    }
  }
  return merged;
}

/**
 * `hearth.remote.*` as the editor sends it: nested (`remote: { url }`, what VS Code's configuration object gives) or
 * flat (`'remote.url'`); wrong types fall back to the defaults.
 */
function pickRemote(raw: Record<string, unknown>): RemoteSettings {
  const nested = raw.remote && typeof raw.remote === 'object' ? (raw.remote as Record<string, unknown>) : {};
  const value = (key: keyof RemoteSettings): unknown => (key in nested ? nested[key] : raw[`remote.${key}`]);
  const defaults = defaultSettings.remote;
  const url = value('url');
  const fimFormat = value('fimFormat');
  const model = value('model');
  const neverSend = value('neverSend');
  return {
    url: typeof url === 'string' ? url.trim().replace(/\/+$/, '') : defaults.url,
    fimFormat: typeof fimFormat === 'string' && (schemaOf('remote.fimFormat').enum ?? []).includes(fimFormat) ? (fimFormat as RemoteFimFormat) : defaults.fimFormat,
    model: typeof model === 'string' ? model.trim() : defaults.model,
    api: typeof value('api') === 'string' && (schemaOf('remote.api').enum ?? []).includes(value('api') as string) ? (value('api') as RemoteSettings['api']) : defaults.api,
    allowHttp: typeof value('allowHttp') === 'boolean' ? (value('allowHttp') as boolean) : defaults.allowHttp,
    neverSend: Array.isArray(neverSend) ? neverSend.filter((glob): glob is string => typeof glob === 'string' && glob.trim() !== '') : defaults.neverSend,
    fallbackToLocal: typeof value('fallbackToLocal') === 'boolean' ? (value('fallbackToLocal') as boolean) : defaults.fallbackToLocal,
    slots: typeof value('slots') === 'string' && (schemaOf('remote.slots').enum ?? []).includes(value('slots') as string) ? (value('slots') as RemoteSettings['slots']) : defaults.slots,
  };
}

/**
 * Turns whatever the editor sent for the `hearth` section into settings; invalid values fall back to defaults.
 * `home` (the user's home folder) expands `~` in path settings.
 */
export function parseSettings(raw: unknown, home = ''): HearthSettings {
  const source = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  return {
    enable: pickBoolean(source, 'enable'),
    enabledLanguages: pickLanguageMap(source),
    modelPath: pickPath(source, 'modelPath', home),
    draftModelPath: pickPath(source, 'draftModelPath', home),
    chatModelPath: pickPath(source, 'chatModelPath', home),
    nextEditModelPath: pickPath(source, 'nextEditModelPath', home),
    nextEdits: pickBoolean(source, 'nextEdits'),
    modelHub: pickString(source, 'modelHub'),
    fimOrder: pickEnum<FimOrderSetting>(source, 'fimOrder'),
    speculation: pickEnum<SpeculationSetting>(source, 'speculation'),
    maxLines: pickInteger(source, 'maxLines'),
    maxTokens: pickInteger(source, 'maxTokens'),
    threads: pickInteger(source, 'threads'),
    gpu: pickEnum<GpuSetting>(source, 'gpu'),
    windowCacheMegabytes: pickInteger(source, 'windowCacheMegabytes'),
    sharedEngine: pickBoolean(source, 'sharedEngine'),
    sharedEngineIdleMinutes: pickInteger(source, 'sharedEngineIdleMinutes'),
    logLevel: pickEnum<LogLevel>(source, 'logLevel'),
    engine: pickEnum<EngineSetting>(source, 'engine'),
    remote: pickRemote(source),
  };
}

export function isLanguageEnabled(settings: HearthSettings, languageId: string): boolean {
  if (!settings.enable) return false;
  return settings.enabledLanguages[languageId] ?? settings.enabledLanguages['*'] ?? true;
}
