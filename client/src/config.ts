// The client's typed view of the settings: the same parser the server uses, fed from VS Code's configuration.
import * as vscode from 'vscode';
import { type HearthSettings, parseSettings, settingsSection } from '../../common/settings';

export function readSettings(): HearthSettings {
  const config = vscode.workspace.getConfiguration(settingsSection);
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(parseSettings({}))) raw[key] = config.get(key);
  return parseSettings(raw);
}

export async function setEnabled(enabled: boolean): Promise<void> {
  await vscode.workspace.getConfiguration(settingsSection).update('enable', enabled, vscode.ConfigurationTarget.Global);
}

/** Switches completions for one language, keeping the others as they are. */
export async function setLanguageEnabled(languageId: string, enabled: boolean): Promise<void> {
  const config = vscode.workspace.getConfiguration(settingsSection);
  const current = config.inspect<Record<string, boolean>>('enabledLanguages')?.globalValue ?? {};
  await config.update('enabledLanguages', { ...current, [languageId]: enabled }, vscode.ConfigurationTarget.Global);
}

/** Sets the completion model (`modelPath`) or the explain/refactor model (`chatModelPath`) for this user. */
export async function setModelPath(key: 'modelPath' | 'chatModelPath', path: string): Promise<void> {
  await vscode.workspace.getConfiguration(settingsSection).update(key, path, vscode.ConfigurationTarget.Global);
}
