import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultSettings } from '../../common/settings';
import { ModelError } from '../../server/src/errors';
import { Logger } from '../../server/src/logger';
import { bundledDraftFile, bundledTargetFile, ModelHost, type ModelSpec, type ModelState, resolveModelSpec } from '../../server/src/model/modelHost';
import { FakeModel } from '../support/fakeModel';

const twoCoreVm = { logical: 2, physical: 2, performance: 2 };
const quiet = new Logger({ error() {}, warn() {}, info() {}, log() {} });
const spec = (modelPath: string): ModelSpec => ({ modelPath, draftModelPath: '', threads: 1, adaptiveThreads: false, gpu: 'off', fimOrder: 'psm', speculation: 'off' });

test('an empty model path resolves to the bundled pair; a user model gets no bundled draft', () => {
  const bundled = resolveModelSpec(defaultSettings, '/ext/models', twoCoreVm);
  assert.equal(bundled.modelPath, join('/ext/models', bundledTargetFile));
  assert.equal(bundled.draftModelPath, join('/ext/models', bundledDraftFile));
  assert.equal(bundled.threads, 1);
  assert.equal(bundled.adaptiveThreads, true, 'auto threads follow the load');
  assert.equal(bundled.fimOrder, 'spm');
  const user = resolveModelSpec({ ...defaultSettings, modelPath: '/m/qwen.gguf', threads: 3 }, '/ext/models', { logical: 16, physical: 8, performance: 8 });
  assert.deepEqual(user, { modelPath: '/m/qwen.gguf', draftModelPath: '', threads: 3, adaptiveThreads: false, gpu: 'auto', fimOrder: 'psm', speculation: 'auto', shared: true }, 'the shared engine by default');
  assert.equal(resolveModelSpec({ ...defaultSettings, sharedEngine: false }, '/ext/models', twoCoreVm).shared, false, 'the shared engine is part of the spec: switching it loads again');
  assert.equal(resolveModelSpec({ ...defaultSettings, modelPath: '/m/x.gguf', fimOrder: 'spm' }, '/ext/models', twoCoreVm).fimOrder, 'spm');
});

test('the host loads once per spec, disposes the old model on change and reports each state', async () => {
  const states: ModelState[] = [];
  const loaded: FakeModel[] = [];
  const host = new ModelHost(
    async () => {
      const model = new FakeModel(['x']);
      loaded.push(model);
      return model;
    },
    quiet,
    (state) => states.push(state),
  );
  await host.configure(spec('/a.gguf'));
  await host.configure(spec('/a.gguf'));
  assert.equal(loaded.length, 1);
  await host.configure(spec('/b.gguf'));
  assert.equal(loaded.length, 2);
  assert.equal(loaded[0]!.disposed, true);
  assert.equal(host.current(), loaded[1]);
  assert.deepEqual(states.map((s) => s.state), ['loading', 'ready', 'loading', 'ready']);
  await host.reload(spec('/b.gguf'));
  assert.equal(loaded.length, 3);
});

test('a model error leaves the host without a model and reports what to do', async () => {
  const states: ModelState[] = [];
  const host = new ModelHost(
    async () => {
      throw new ModelError('missing', 'The model file /x.gguf does not exist.');
    },
    quiet,
    (state) => states.push(state),
  );
  await host.configure(spec('/x.gguf'));
  assert.equal(host.current(), undefined);
  assert.deepEqual(states.at(-1), { state: 'error', message: 'The model file /x.gguf does not exist.', action: 'chooseModel' });
});

test('an unexpected load failure is reported with the log as the fix', async () => {
  const states: ModelState[] = [];
  const host = new ModelHost(async () => Promise.reject(new Error('boom')), quiet, (state) => states.push(state));
  await host.configure(spec('/y.gguf'));
  assert.equal(states.at(-1)?.state, 'error');
  assert.equal(states.at(-1)?.action, 'showLog');
});

test('a bad model after a good one leaves no model (not the old, disposed one); unload disposes and a later configure loads again', async () => {
  const loaded: FakeModel[] = [];
  const host = new ModelHost(
    async (s: ModelSpec) => {
      if (s.modelPath === '/bad.gguf') throw new ModelError('corrupt', 'bad.gguf is damaged.');
      const model = new FakeModel(['x']);
      loaded.push(model);
      return model;
    },
    quiet,
    () => undefined,
  );
  await host.configure(spec('/good.gguf'));
  await host.configure(spec('/bad.gguf'));
  assert.equal(loaded[0]!.disposed, true);
  assert.equal(host.current(), undefined, 'the disposed model is not handed out');
  await host.configure(spec('/good.gguf'));
  assert.equal(host.current(), loaded[1]);
  await host.unload();
  assert.equal(host.current(), undefined);
  assert.equal(loaded[1]!.disposed, true);
  await host.configure(spec('/good.gguf'));
  assert.equal(loaded.length, 3, 'the same spec loads again after an unload');
});

test('the model file changing on disk unloads the model and loads the file again; one deleted outright keeps it; a new spec stops watching the old file', async () => {
  const watched = new Map<string, (exists: boolean) => void>();
  const stopped: string[] = [];
  const loaded: FakeModel[] = [];
  let damaged = false;
  const states: ModelState[] = [];
  const host = new ModelHost(
    async () => {
      if (damaged) throw new ModelError('corrupt', 'a.gguf is damaged: it ends before its tensor data does');
      const model = new FakeModel(['x']);
      loaded.push(model);
      return model;
    },
    quiet,
    (state) => states.push(state),
    (path, onChange) => {
      watched.set(path, onChange);
      return () => stopped.push(path);
    },
  );
  await host.configure(spec('/a.gguf'));
  assert.ok(watched.has('/a.gguf'));
  watched.get('/a.gguf')!(false); // deleted: the memory map keeps the loaded model valid
  assert.equal(host.current(), loaded[0]);
  damaged = true; // truncated in place
  watched.get('/a.gguf')!(true);
  await host.configure(spec('/a.gguf')); // waits for the reload queued before it
  assert.equal(loaded[0]!.disposed, true, 'the model over the changed file is gone');
  assert.equal(host.current(), undefined);
  assert.equal(states.at(-1)?.state, 'error');
  assert.match(states.at(-1)!.message, /damaged/);
  damaged = false;
  await host.configure(spec('/b.gguf'));
  assert.deepEqual(stopped, ['/a.gguf']);
  await host.dispose();
  assert.deepEqual(stopped, ['/a.gguf', '/b.gguf']);
});
