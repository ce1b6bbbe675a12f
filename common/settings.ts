// The one typed view of Hearth's settings, shared by client and server. The schema and defaults live once, in
// package.json's contributes.configuration; this module turns a raw `hearth` section into a checked object.
import manifest from '../package.json';

export const settingsSection = 'hearth';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'trace';
export type GpuSetting = 'auto' | 'off';
export type FimOrderSetting = 'auto' | 'psm' | 'spm';
export type SpeculationSetting = 'auto' | 'promptLookup' | 'draft' | 'off';

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
  logLevel: LogLevel;
}

interface PropertySchema {
  type: string;
  default: unknown;
  enum?: readonly string[];
  minimum?: number;
  maximum?: number;
}

const properties = manifest.contributes.configuration.properties as Record<string, PropertySchema>;

function schemaOf(key: keyof HearthSettings): PropertySchema {
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
  modelHub: schemaOf('modelHub').default as string,
  fimOrder: schemaOf('fimOrder').default as FimOrderSetting,
  speculation: schemaOf('speculation').default as SpeculationSetting,
  maxLines: schemaOf('maxLines').default as number,
  maxTokens: schemaOf('maxTokens').default as number,
  threads: schemaOf('threads').default as number,
  gpu: schemaOf('gpu').default as GpuSetting,
  logLevel: schemaOf('logLevel').default as LogLevel,
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
    modelHub: pickString(source, 'modelHub'),
    fimOrder: pickEnum<FimOrderSetting>(source, 'fimOrder'),
    speculation: pickEnum<SpeculationSetting>(source, 'speculation'),
    maxLines: pickInteger(source, 'maxLines'),
    maxTokens: pickInteger(source, 'maxTokens'),
    threads: pickInteger(source, 'threads'),
    gpu: pickEnum<GpuSetting>(source, 'gpu'),
    logLevel: pickEnum<LogLevel>(source, 'logLevel'),
  };
}

export function isLanguageEnabled(settings: HearthSettings, languageId: string): boolean {
  if (!settings.enable) return false;
  return settings.enabledLanguages[languageId] ?? settings.enabledLanguages['*'] ?? true;
}
