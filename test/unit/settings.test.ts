import assert from 'node:assert/strict';
import { test } from 'node:test';
import manifest from '../../package.json';
import { defaultSettings, isLanguageEnabled, parseSettings } from '../../common/settings';

const declared = manifest.contributes.configuration.properties as Record<string, { default: unknown; scope?: string }>;

test('every setting is declared in package.json and its default is taken from there', () => {
  // hearth.remote.* are one nested object in the settings, as VS Code hands dotted keys to the section.
  const flat = Object.entries(defaultSettings).flatMap(([key, value]) => (key === 'remote' ? Object.entries(value as object).map(([sub, v]) => [`remote.${sub}`, v] as const) : [[key, value] as const]));
  for (const [key, value] of flat) {
    assert.ok(declared[`hearth.${key}`], `hearth.${key} missing from package.json`);
    assert.deepEqual(value, declared[`hearth.${key}`]!.default, key);
  }
  assert.equal(Object.keys(declared).length, flat.length);
});

test('the remote engine’s settings come nested (VS Code) or flat, and wrong types fall back to the defaults', () => {
  const nested = parseSettings({ engine: 'remote', remote: { url: ' http://127.0.0.1:8080/ ', fimFormat: 'starcoder', neverSend: ['*.secret', 3, ''], allowHttp: true, fallbackToLocal: 'yes', slots: 'perDocument' } });
  assert.equal(nested.engine, 'remote');
  assert.equal(nested.remote.url, 'http://127.0.0.1:8080', 'trimmed, without the trailing slash');
  assert.equal(nested.remote.fimFormat, 'starcoder');
  assert.deepEqual(nested.remote.neverSend, ['*.secret'], 'only non-empty strings');
  assert.equal(nested.remote.allowHttp, true);
  assert.equal(nested.remote.fallbackToLocal, false, 'not a boolean: the default');
  assert.equal(nested.remote.slots, 'perDocument');
  const flat = parseSettings({ engine: 'cloud', 'remote.url': 'https://llm.example.com', 'remote.fimFormat': 'gpt', 'remote.model': ' qwen ' });
  assert.equal(flat.engine, 'local', 'an unknown engine is the local one');
  assert.equal(flat.remote.url, 'https://llm.example.com');
  assert.equal(flat.remote.fimFormat, 'auto');
  assert.equal(flat.remote.model, 'qwen');
  assert.deepEqual(flat.remote.neverSend, defaultSettings.remote.neverSend);
  assert.equal(flat.remote.slots, 'server', 'llama-server chooses the slots unless told');
  assert.equal(parseSettings({ 'remote.slots': 'random' }).remote.slots, 'server');
});

test('model paths are machine-scoped so a workspace cannot point them at its own files', () => {
  assert.equal(declared['hearth.modelPath']!.scope, 'machine');
  assert.equal(declared['hearth.draftModelPath']!.scope, 'machine');
});

test('invalid values fall back to defaults and numbers are clamped to the declared range', () => {
  const settings = parseSettings({ enable: 'yes', maxLines: 1000, maxTokens: -3, threads: 2.6, gpu: 'tpu', logLevel: 'debug', modelPath: ' /m.gguf ' });
  assert.equal(settings.enable, defaultSettings.enable);
  assert.equal(settings.maxLines, 100);
  assert.equal(settings.maxTokens, 1);
  assert.equal(settings.threads, 3);
  assert.equal(settings.gpu, defaultSettings.gpu);
  assert.equal(settings.logLevel, 'debug');
  assert.equal(settings.modelPath, '/m.gguf');
  assert.deepEqual(parseSettings(undefined), defaultSettings);
});

test('per-language switches override the "*" default, and the global switch wins over both', () => {
  const settings = parseSettings({ enabledLanguages: { python: false, '*': true, go: 'no' } });
  assert.equal(isLanguageEnabled(settings, 'python'), false);
  assert.equal(isLanguageEnabled(settings, 'typescript'), true);
  assert.equal(isLanguageEnabled(settings, 'go'), true);
  assert.equal(isLanguageEnabled(settings, 'markdown'), false, 'defaults for unlisted keys are kept');
  assert.equal(isLanguageEnabled(parseSettings({ enabledLanguages: { '*': false } }), 'rust'), false);
  assert.equal(isLanguageEnabled({ ...settings, enable: false }, 'typescript'), false);
});

test('~ and ${userHome} at the start of a model path stand for the home folder; elsewhere they stay as written', () => {
  const settings = parseSettings({ modelPath: '~/models/q.gguf', draftModelPath: '${userHome}/d.gguf', chatModelPath: '/data/~/c.gguf' }, '/home/ada');
  assert.equal(settings.modelPath, '/home/ada/models/q.gguf');
  assert.equal(settings.draftModelPath, '/home/ada/d.gguf');
  assert.equal(settings.chatModelPath, '/data/~/c.gguf');
  assert.equal(parseSettings({ modelPath: '~' }, '/home/ada').modelPath, '/home/ada');
  assert.equal(parseSettings({ modelPath: '~other/q.gguf' }, '/home/ada').modelPath, '~other/q.gguf', "another user's home is not guessed");
});
