// What the Extensions page and the first run show comes from package.json and docs/: every image they name exists,
// the icon is a PNG of at least 128 px, and the walkthrough's buttons run commands the extension contributes.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/paths';

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const commands = new Set<string>(manifest.contributes.commands.map((c: { command: string }) => c.command));

test('the icon is a PNG of at least 128×128', () => {
  const png = readFileSync(join(repoRoot, manifest.icon));
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  assert.ok(png.readUInt32BE(16) >= 128 && png.readUInt32BE(20) >= 128, `${png.readUInt32BE(16)}×${png.readUInt32BE(20)}`);
});

test('the Marketplace page (docs/MARKETPLACE.md) links only images that exist, and leads with getting a real model', () => {
  const page = readFileSync(join(repoRoot, 'docs', 'MARKETPLACE.md'), 'utf8');
  const images = [...page.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
  assert.ok(images.length >= 4, images.join(', '));
  for (const image of images) assert.ok(existsSync(join(repoRoot, image)), `${image} exists`);
  assert.ok(page.indexOf('## Get a real model') < page.indexOf('## Contributing'), 'the user part first, the contributor part last');
  assert.ok(!/npm install/.test(page.slice(0, page.indexOf('## Contributing'))), 'no developer install notes above Contributing');
});

test('the walkthrough: each step has an image that exists and a button for a contributed command', () => {
  const steps = manifest.contributes.walkthroughs[0].steps as Array<{ description: string; media: { image?: string } }>;
  assert.equal(steps.length, 3);
  for (const step of steps) {
    assert.ok(step.media.image && existsSync(join(repoRoot, step.media.image)), `${step.media.image} exists`);
    const command = /\(command:([\w.]+)\)/.exec(step.description)?.[1];
    assert.ok(command && commands.has(command), `${command} is contributed`);
  }
});

test('Restricted Mode: every setting that names a file or an endpoint is restricted and never read from a workspace', () => {
  const trust = manifest.capabilities?.untrustedWorkspaces;
  assert.equal(trust?.supported, 'limited');
  assert.ok(typeof trust.description === 'string' && trust.description.length > 20);
  const properties = manifest.contributes.configuration.properties as Record<string, { type: string; enum?: string[]; scope?: string; format?: string; description?: string; markdownDescription?: string }>;
  // Path- and endpoint-valued (free strings, not a choice from a list): named so, or described as a file, folder, URL or server.
  const sensitive = Object.entries(properties)
    .filter(([name, p]) => p.type === 'string' && !p.enum && (/(Path|Hub|Url|Endpoint|Dir)$/i.test(name) || p.format === 'uri' || /\b(file|folder|directory|URL|server|endpoint)\b/i.test(`${p.description ?? ''}${p.markdownDescription ?? ''}`)))
    .map(([name]) => name);
  assert.ok(sensitive.includes('hearth.modelPath') && sensitive.includes('hearth.modelHub'), sensitive.join(', '));
  for (const name of sensitive) {
    assert.ok(trust.restrictedConfigurations.includes(name), `${name} is in restrictedConfigurations`);
    assert.ok(['machine', 'application'].includes(properties[name]!.scope ?? ''), `${name} is machine-scoped (never from workspace settings)`);
  }
});

test('what the Extensions page promises is true: the remote engine is named beside "nothing leaves", no CUDA is promised, fixture pictures are labelled', () => {
  const page = readFileSync(join(repoRoot, 'docs', 'MARKETPLACE.md'), 'utf8');
  const intro = page.slice(0, page.indexOf('\n## '));
  assert.match(intro, /leaves[\s\S]*hearth\.engine: remote/, 'the opening names the opt-in remote engine as the exception');
  assert.match(manifest.description, /unless you point Hearth at an inference server of your own/);
  // No CUDA build ships (README: platform packages): the settings must not offer it.
  const settingsText = JSON.stringify(manifest.contributes.configuration);
  assert.doesNotMatch(settingsText.replace(/no CUDA build ships/g, ''), /CUDA/);
  // Screenshots from the end-to-end tests show the demo model: the page says so before the first picture's text.
  const firstPicture = intro.indexOf('![');
  assert.ok(firstPicture >= 0);
  assert.match(intro.slice(firstPicture), /demo model's bytes under the name `qwen2\.5-coder-0\.5b-q8_0\.gguf`/);
  const refactor = page.slice(page.indexOf('refactor-proposal.png'));
  assert.match(refactor.slice(0, 300), /demo model, whose rewrite is noise/);
});
