// The engines module with fake loaders: which model completions and instructions go to as the settings switch
// engines, what the status bar is told, and how an instruction waits for a chat model still loading.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultSettings, type HearthSettings, type RemoteSettings } from '../../common/settings';
import { Engines, type RemoteEngineHandle } from '../../server/src/engines/engines';
import { ModelError } from '../../server/src/errors';
import { Logger } from '../../server/src/logger';
import type { CompletionModel } from '../../server/src/model/completionModel';
import type { TextModel } from '../../server/src/model/completionModel';
import type { ModelSpec, ModelState } from '../../server/src/model/modelHost';
import { FakeModel } from '../support/fakeModel';

const quiet = new Logger({ error() {}, warn() {}, info() {}, log() {} });

class FakeRemote implements RemoteEngineHandle {
  model: CompletionModel | undefined;
  configured: Array<{ url: string; consented: boolean }> = [];
  disconnects = 0;
  constructor(readonly report: (state: ModelState) => void) {}
  current() {
    return this.model;
  }
  async configure(settings: RemoteSettings, access: { consented: boolean }) {
    this.configured.push({ url: settings.url, consented: access.consented });
    if (!access.consented) {
      this.report({ state: 'error', message: `Waiting for your agreement to send code to ${settings.url}.` });
      return;
    }
    this.model = new FakeModel(['remote']);
    this.report({ state: 'ready', message: 'remote ready', model: 'remote' });
  }
  async disconnect() {
    this.disconnects++;
    this.model = undefined;
  }
}

function setup(options: { chatLoad?: (path: string) => Promise<TextModel> } = {}) {
  const statuses: ModelState[] = [];
  const loaded: string[] = [];
  const chatModelChanges: number[] = [];
  const watched: string[] = [];
  let remote!: FakeRemote;
  let modelReady = 0;
  const engines = new Engines({
    loadCompletion: async (spec: ModelSpec, lock) => {
      assert.equal(lock, engines.lock, 'every model computes under the one lock');
      loaded.push(spec.modelPath);
      if (spec.modelPath.includes('broken')) throw new ModelError('corrupt', 'That file is not a model.', 'chooseModel');
      const model = new FakeModel(['local']);
      Object.assign(model, { name: spec.modelPath });
      return model;
    },
    loadChat: async (spec) => {
      loaded.push(`chat:${spec.modelPath}`);
      if (options.chatLoad) return options.chatLoad(spec.modelPath);
      const model = new FakeModel(['chat']);
      Object.assign(model, { name: spec.modelPath });
      return model as unknown as TextModel;
    },
    remote: (report) => (remote = new FakeRemote(report)),
    resolveSpec: (s) => ({ modelPath: s.modelPath || '/bundled.gguf', draftModelPath: '', threads: 1, adaptiveThreads: false, gpu: 'off', fimOrder: 'psm', speculation: 'off' }),
    report: (state) => statuses.push(state),
    onChatModelChanged: () => chatModelChanges.push(1),
    log: quiet,
    watch: (path) => {
      watched.push(path);
      return () => undefined;
    },
  });
  engines.onModelReady(() => modelReady++);
  return { engines, statuses, loaded, chatModelChanges, watched, remote: () => remote, modelReady: () => modelReady };
}

const local = (over: Partial<HearthSettings> = {}): HearthSettings => ({ ...defaultSettings, modelPath: '/a.gguf', ...over });
const remoteSettings = (fallbackToLocal: boolean): HearthSettings => ({ ...local(), engine: 'remote', remote: { ...defaultSettings.remote, url: 'https://models.example', fallbackToLocal } });

test('local engine: the settings’ model is loaded once, completions and instructions go to it, its states reach the status', async () => {
  const { engines, statuses, loaded, modelReady } = setup();
  assert.equal(engines.completionModel(), undefined, 'nothing before the settings arrive');
  await engines.apply(local());
  await engines.apply(local());
  assert.deepEqual(loaded, ['/a.gguf']);
  assert.equal(engines.completionModel()?.name, '/a.gguf');
  assert.equal(engines.textModels.model(), engines.completionModel(), 'without a chat model, explain uses the completion model');
  // Applying settings again tells the status the local engine's state again (the status reporter drops repeats).
  assert.deepEqual(statuses.map((s) => s.state), ['loading', 'ready', 'ready']);
  assert.equal(modelReady(), 1, 'a ready model clears what was cached for the previous one');
  await engines.apply(local({ modelPath: '/broken.gguf' }));
  assert.equal(engines.completionModel(), undefined);
  assert.deepEqual(statuses.at(-1), { state: 'error', message: 'That file is not a model.', action: 'chooseModel' });
});

test('remote engine: nothing is sent before the user agrees; then the remote model, and back to local restores its state', async () => {
  const { engines, statuses, loaded, remote } = setup();
  await engines.apply(local());
  await engines.apply(remoteSettings(false));
  assert.deepEqual(remote().configured, [{ url: 'https://models.example', consented: false }]);
  assert.equal(engines.completionModel(), undefined, 'no agreement, no fallback: no completions');
  assert.equal(statuses.at(-1)?.state, 'error');
  assert.match(statuses.at(-1)!.message, /agreement/);
  engines.setRemoteAccess({ url: 'https://other.example', consented: true });
  await engines.apply(remoteSettings(false));
  assert.equal(remote().configured.at(-1)?.consented, false, 'an agreement to another URL does not count');
  engines.setRemoteAccess({ url: 'https://models.example', consented: true });
  await engines.apply(remoteSettings(false));
  assert.equal(engines.completionModel()?.name, 'fake.gguf');
  assert.equal(engines.textModels.model(), engines.completionModel(), 'instructions go to the remote engine too');
  assert.equal(statuses.at(-1)?.message, 'remote ready');

  const disconnects = remote().disconnects;
  await engines.apply(local());
  assert.equal(remote().disconnects, disconnects + 1);
  assert.equal(engines.completionModel()?.name, '/a.gguf');
  assert.equal(statuses.at(-1)?.message, 'a.gguf ready', 'the status shows the local engine again');
  assert.deepEqual(loaded, ['/a.gguf', '/a.gguf'], 'the local model was let go while remote was on without fallback, and loaded again');
});

test('remote engine with fallback: the local model stays loaded and takes completions while the remote one is down', async () => {
  const { engines, statuses, remote } = setup();
  await engines.apply(remoteSettings(true));
  assert.equal(engines.completionModel()?.name, '/a.gguf', 'remote not agreed to: the fallback answers');
  assert.equal(statuses.some((s) => s.message === 'a.gguf ready'), false, 'the status shows the remote engine’s state, not the fallback’s');
  engines.setRemoteAccess({ url: 'https://models.example', consented: true });
  await engines.apply(remoteSettings(true));
  assert.equal(engines.completionModel(), remote().model);
  await remote().disconnect();
  assert.equal(engines.completionModel()?.name, '/a.gguf', 'remote down: the fallback again');
});

test('a chat model: instructions wait for it while it loads, then use it; unset, they go back to the completion model', async () => {
  let finish!: () => void;
  const { engines, chatModelChanges, loaded } = setup({
    chatLoad: async (path) => {
      await new Promise<void>((resolve) => (finish = resolve));
      const model = new FakeModel(['chat']);
      Object.assign(model, { name: path });
      return model as unknown as TextModel;
    },
  });
  await engines.apply(local());
  const applying = engines.apply(local({ chatModelPath: '/chat/instruct.gguf' }));
  assert.equal(engines.textModels.chatModelProblem!(), 'The chat model instruct.gguf is not loaded yet.', 'at once, before its load starts');
  let settled = false;
  void engines.textModels.modelSettled!().then(() => (settled = true));
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(settled, false, 'an instruction waits while the chat model loads');
  assert.equal(chatModelChanges.length, 0, 'a chat model still loading is no change yet');
  assert.match(engines.textModels.chatModelProblem!() ?? '', /still loading \(instruct\.gguf\)/);
  finish();
  await applying;
  assert.equal(settled, true);
  assert.equal(engines.textModels.chatModelProblem!(), undefined);
  assert.equal(engines.textModels.model()?.name, '/chat/instruct.gguf');
  assert.notEqual(engines.completionModel()?.name, '/chat/instruct.gguf', 'completions keep the completion model');
  assert.deepEqual(chatModelChanges.length, 1, 'the editor is told a chat model arrived');
  assert.deepEqual(loaded, ['/a.gguf', 'chat:/chat/instruct.gguf']);

  await engines.apply(local());
  assert.equal(engines.textModels.model()?.name, '/a.gguf');
  assert.equal(chatModelChanges.length, 2, 'and that it left');
});

test('a chat model that cannot load: instructions are told why rather than sent to another model', async () => {
  const { engines } = setup({
    chatLoad: async () => {
      throw new ModelError('corrupt', 'instruct.gguf is damaged.', 'chooseModel');
    },
  });
  await engines.apply(local({ chatModelPath: '/chat/instruct.gguf' }));
  assert.equal(engines.textModels.model(), undefined);
  assert.equal(engines.textModels.chatModelProblem!(), 'The chat model cannot be used: instruct.gguf is damaged.');
});

test('dispose lets every engine go', async () => {
  const { engines, remote } = setup();
  await engines.apply(local({ chatModelPath: '/chat.gguf' }));
  const completion = engines.completionModel() as FakeModel;
  const chat = engines.textModels.model() as unknown as FakeModel;
  const disconnects = remote().disconnects;
  await engines.dispose();
  assert.equal(completion.disposed, true);
  assert.equal(chat.disposed, true);
  assert.equal(remote().disconnects, disconnects + 1);
});

test('before any settings there is no model and no problem to tell; the settings’ model file is watched', async () => {
  const { engines, watched } = setup();
  assert.equal(engines.textModels.model(), undefined);
  assert.equal(engines.textModels.chatModelProblem!(), undefined);
  await engines.apply(local({ chatModelPath: '/chat.gguf' }));
  assert.deepEqual(watched, ['/a.gguf', '/chat.gguf']);
});

test('model-ready listeners hear each completion model that becomes ready, local or remote, and nothing else; the status hears only the engine in use', async () => {
  const { engines, statuses, remote, modelReady } = setup();
  await engines.apply(local());
  assert.equal(modelReady(), 1);
  await engines.apply(local({ modelPath: '/broken.gguf' }));
  assert.equal(modelReady(), 1, 'loading and failing are not ready');
  const before = statuses.length;
  remote().report({ state: 'ready', message: 'remote ready', model: 'remote' });
  assert.equal(statuses.length, before, 'the remote engine is not in use: its state is not shown');
  assert.equal(modelReady(), 2, 'but a ready remote model is a new model all the same');
  engines.setRemoteAccess({ url: 'https://models.example', consented: true });
  await engines.apply(remoteSettings(false));
  assert.equal(modelReady(), 3);
  assert.equal(statuses.at(-1)?.message, 'remote ready');
});

test('with the remote engine, instructions go to it even where a chat model is set; the same chat model applied again is not reloaded', async () => {
  const { engines, remote, loaded } = setup();
  await engines.apply(local({ chatModelPath: '/chat.gguf' }));
  assert.equal(engines.textModels.model()?.name, '/chat.gguf');
  // Settings applied again with the same chat model (another setting changed): it stays usable throughout.
  const again = engines.apply(local({ chatModelPath: '/chat.gguf', threads: 2 }));
  assert.equal(engines.textModels.chatModelProblem!(), undefined, 'no "not loaded yet" for the model already loaded');
  let settled = false;
  await engines.textModels.modelSettled!().then(() => (settled = true));
  assert.equal(settled, true);
  await again;
  assert.deepEqual(loaded.filter((path) => path.startsWith('chat:')), ['chat:/chat.gguf']);
  engines.setRemoteAccess({ url: 'https://models.example', consented: true });
  await engines.apply({ ...remoteSettings(false), chatModelPath: '/chat.gguf' });
  assert.equal(engines.textModels.model(), remote().model);
});
