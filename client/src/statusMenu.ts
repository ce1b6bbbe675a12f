// What clicking the status item offers (as rust-analyzer's and Copilot's do), decided from plain facts so that tests
// reach it: switching completions for this language or everywhere, choosing a model (first when the demo model is
// in use), explaining, the log and the settings. Nothing is switched off by a click alone.

export interface StatusMenuFacts {
  /** Completions switched on at all (hearth.enable). */
  enabled: boolean;
  /** The active editor's language, when there is one. */
  languageId: string | undefined;
  /** Whether completions are on for that language. */
  languageEnabled: boolean;
  /** The bundled demo model is the one loaded. */
  demoModel: boolean;
}

export interface StatusMenuItem {
  label: string;
  description?: string;
  command: string;
  args?: unknown[];
}

export const bundledModelFile = 'tiny-code-target-q8_0.gguf';

export function statusMenuItems(facts: StatusMenuFacts): StatusMenuItem[] {
  const chooseModel: StatusMenuItem = {
    label: '$(cloud-download) Choose Model…',
    description: facts.demoModel ? 'the demo model in use proves the plumbing, its suggestions are noise' : 'download or pick a GGUF model',
    command: 'hearth.chooseModel',
  };
  const items: StatusMenuItem[] = facts.demoModel ? [chooseModel] : [];
  if (facts.enabled && facts.languageId) {
    items.push(
      facts.languageEnabled
        ? { label: `$(circle-slash) Disable Completions for ${facts.languageId}`, command: 'hearth.setLanguageEnabled', args: [facts.languageId, false] }
        : { label: `$(check) Enable Completions for ${facts.languageId}`, command: 'hearth.setLanguageEnabled', args: [facts.languageId, true] },
    );
  }
  items.push(facts.enabled ? { label: '$(circle-slash) Disable Completions Everywhere', command: 'hearth.disable' } : { label: '$(check) Enable Completions', command: 'hearth.enable' });
  if (!facts.demoModel) items.push(chooseModel);
  if (facts.languageId) items.push({ label: '$(comment-discussion) Explain the Code at the Cursor', command: 'hearth.explain' });
  items.push({ label: '$(output) Show Log', command: 'hearth.showLog' }, { label: '$(gear) Settings', command: 'workbench.action.openSettings', args: ['@ext:hearth.hearth'] });
  return items;
}
