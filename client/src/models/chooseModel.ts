// Hearth: Choose Model…: the catalogue that ships with the extension, with a recommendation for this machine, the
// models already downloaded, and any GGUF file on disk (its details shown before it is used). A catalogue model is
// downloaded by the server (progress, speed, time left and Cancel in a notification; resumed when asked again),
// verified, and then set as the completion or chat model.
import { readdirSync } from 'node:fs';
import { freemem, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { type CatalogueModel, catalogue, recommendedCompletionModel } from '../../../common/catalogue';
import { readProxySettings, readSettings, setModelPath } from '../config';
import type { HearthServer } from '../serverClient';
import { gb, progressMessage } from './pullProgressText';

type Pick = vscode.QuickPickItem & { action: () => Promise<unknown> };

export class ModelChooser {
  constructor(
    private readonly server: HearthServer,
    /** Where downloaded models are kept: the extension's global storage (updates do not replace it). */
    private readonly modelsDir: string,
  ) {}

  async choose(): Promise<void> {
    // The server knows the GPU llama.cpp would use; without an answer (not running, slow), memory alone decides.
    const machine = await Promise.race([this.server.machine().catch(() => undefined), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 3000))]);
    const recommended = recommendedCompletionModel({
      totalBytes: machine?.totalBytes ?? totalmem(),
      freeBytes: machine?.freeBytes ?? freemem(),
      performanceCores: machine?.performanceCores,
      gpuFreeBytes: machine?.gpu?.freeBytes,
    });
    const picks: Array<Pick | vscode.QuickPickItem> = [
      { label: 'Download', kind: vscode.QuickPickItemKind.Separator },
      ...catalogue.map((model) => ({
        label: `${model.id === recommended.id ? '$(star-full) ' : ''}${model.label}`,
        description: `${model.role === 'chat' ? 'explain/refactor' : 'completions'} · ${gb(model.bytes)}${model.id === recommended.id ? ' · recommended for this machine' : ''}`,
        detail: `${model.note} — ${model.repo}`,
        action: () => this.download(model),
      })),
      ...this.downloaded(),
      { label: 'From disk', kind: vscode.QuickPickItemKind.Separator },
      { label: '$(folder-opened) Select a GGUF file…', description: 'see what it is before using it', action: () => this.sideload() },
    ];
    const picked = (await vscode.window.showQuickPick(picks, { title: 'Hearth: Choose Model', placeHolder: 'A model for completions, or for explain/refactor', matchOnDescription: true })) as Pick | undefined;
    await picked?.action();
  }

  private downloaded(): Pick[] {
    let files: string[] = [];
    try {
      files = readdirSync(this.modelsDir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.gguf'));
    } catch {
      return [];
    }
    if (files.length === 0) return [];
    return [
      { label: 'Downloaded', kind: vscode.QuickPickItemKind.Separator, action: async () => undefined },
      ...files.map((name) => {
        const path = join(this.modelsDir, name);
        return { label: `$(check) ${basename(name)}`, description: 'downloaded', action: () => this.use(path, catalogue.find((m) => m.file === basename(name))?.role ?? 'completion') };
      }),
    ];
  }

  async downloadById(id: string): Promise<string | undefined> {
    const model = catalogue.find((m) => m.id === id);
    if (!model) {
      void vscode.window.showErrorMessage(`Hearth: no model ${id} in the catalogue.`);
      return undefined;
    }
    return this.download(model);
  }

  /** Downloads in the server with a cancellable progress notification; resumable when chosen again. */
  async download(model: CatalogueModel): Promise<string | undefined> {
    const title = `Hearth: downloading ${model.label}`;
    // The status bar shows it too (a spinner and the percentage), for when the notification is hidden: the window's
    // progress lasts as long as the notification's.
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, (statusBar) =>
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (report, token) => {
        let reported = 0;
        return this.server.pullModel({ repo: model.repo, file: model.file, dir: this.modelsDir, hub: readSettings().modelHub, proxy: readProxySettings() }, token, (progress) => {
          const percent = progress.totalBytes > 0 ? (100 * progress.downloadedBytes) / progress.totalBytes : 0;
          const message = progressMessage(progress);
          report.report({ message, increment: Math.max(0, percent - reported) });
          statusBar.report({ message: message.split(' — ')[0]! });
          reported = Math.max(reported, percent);
        });
      }),
    );
    if (!result.path) {
      if (result.errorKind !== 'cancelled') void vscode.window.showErrorMessage(`Hearth: ${result.error}`);
      else void vscode.window.showInformationMessage('Hearth: download cancelled. Choose the model again to resume it.');
      return undefined;
    }
    await this.use(result.path, model.role);
    return result.path;
  }

  /** Describes a GGUF file (the one given — from the Explorer's context menu —, else one the user picks) before it is used. */
  async sideload(file?: vscode.Uri): Promise<void> {
    const picked = file ? [file] : await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Inspect', filters: { 'GGUF models': ['gguf'] }, title: 'Hearth: choose a GGUF model file' });
    const path = picked?.[0]?.fsPath;
    if (!path) return;
    const info = await this.server.modelInfo(path);
    if (info.error) {
      void vscode.window.showErrorMessage(`Hearth: ${info.error}`);
      return;
    }
    // A code model (FIM tokens) can be a next-edit model too: Sweep's are Qwen2.5-Coder models.
    const actions = [...(info.fim ? ['Use for Completions'] : []), 'Use for Explain/Refactor', ...(info.fim ? ['Use for Next Edits'] : [])];
    const choice = await vscode.window.showInformationMessage(`Hearth: ${basename(path)}`, { modal: true, detail: (info.lines ?? []).join('\n') }, ...actions);
    if (choice === 'Use for Completions') await this.use(path, 'completion');
    else if (choice === 'Use for Explain/Refactor') await this.use(path, 'chat');
    else if (choice === 'Use for Next Edits') await this.use(path, 'nextEdit');
  }

  private async use(path: string, role: 'completion' | 'chat' | 'nextEdit'): Promise<void> {
    await setModelPath(role === 'chat' ? 'chatModelPath' : role === 'nextEdit' ? 'nextEditModelPath' : 'modelPath', path);
    const what = role === 'chat' ? 'explain/refactor' : role === 'nextEdit' ? 'next-edit' : 'completion';
    void vscode.window.showInformationMessage(`Hearth: ${basename(path)} is now the ${what} model.`);
  }
}
