// Where the tests find the built server and the bundled models (tests run from out/test/<kind>/).
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..', '..');
export const serverPath = join(repoRoot, 'dist', 'server.js');
export const targetModelPath = join(repoRoot, 'models', 'tiny-code-target-q8_0.gguf');
export const draftModelPath = join(repoRoot, 'models', 'tiny-code-draft-q8_0.gguf');
export const fixtureWorkspace = join(repoRoot, 'test', 'fixtures', 'workspace');
/**
 * A chat model for the extension-host suite that answers as the tiny target does but more slowly (the tiny target
 * inside 12 layers of the 0.5B's width, tools/src/embeddedModel.ts): written by the runner before the suite starts.
 */
export const slowChatModelPath = join(tmpdir(), 'hearth-e2e-slow-chat-12-layers.gguf');
export const slowChatModelLayers = 12;
