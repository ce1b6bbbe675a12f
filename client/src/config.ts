// The client's typed view of the settings: the same parser the server uses, fed from VS Code's configuration.
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import type { ProxySettings } from '../../common/protocol';
import { type HearthSettings, parseSettings, settingsSection } from '../../common/settings';

export function readSettings(): HearthSettings {
  const config = vscode.workspace.getConfiguration(settingsSection);
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(parseSettings({}))) raw[key] = config.get(key);
  return parseSettings(raw, homedir());
}

/** VS Code's proxy settings, for what Hearth downloads (the server has no access to the editor's own proxy agent). */
export function readProxySettings(): ProxySettings {
  return proxySettingsFrom(vscode.workspace.getConfiguration('http'));
}

/** `http.*` settings as the server takes them, whatever type a settings.json gave them. */
export function proxySettingsFrom(http: { get(key: string): unknown }): ProxySettings {
  const url = http.get('proxy');
  const noProxy = http.get('noProxy');
  return {
    url: typeof url === 'string' ? url.trim() : '',
    noProxy: Array.isArray(noProxy) ? noProxy.filter((host): host is string => typeof host === 'string') : [],
    strictSSL: http.get('proxyStrictSSL') !== false,
  };
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

/** Sets the completion model (`modelPath`), the explain/refactor model (`chatModelPath`) or the next-edit model for this user. */
export async function setModelPath(key: 'modelPath' | 'chatModelPath' | 'nextEditModelPath', path: string): Promise<void> {
  await vscode.workspace.getConfiguration(settingsSection).update(key, path, vscode.ConfigurationTarget.Global);
}
