// Where the tests find the built server and the bundled models (tests run from out/test/<kind>/).
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..', '..');
export const serverPath = join(repoRoot, 'dist', 'server.js');
export const targetModelPath = join(repoRoot, 'models', 'tiny-code-target-q8_0.gguf');
export const draftModelPath = join(repoRoot, 'models', 'tiny-code-draft-q8_0.gguf');
export const fixtureWorkspace = join(repoRoot, 'test', 'fixtures', 'workspace');
