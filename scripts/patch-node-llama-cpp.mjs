// Applied after every `npm install` (the package's postinstall). node-llama-cpp 3.22.1's speculative evaluation
// reads `validatedTokens` but never appends to it, so at most one predicted token per batch can be accepted and
// the rest are always refuted (an oracle predictor: 60 used / 178 refuted; with the push: 96 / 0). This adds the
// one missing line. test/integration/speculation.test.ts fails without it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const packageDir = join(root, 'node_modules', 'node-llama-cpp');
const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
const file = join(packageDir, 'dist/evaluator/LlamaContext/LlamaContext.js');
const anchor = 'this._loadedTokenPredictions.push([evalTokens[i], [resultToken, probabilities, confidence]]);';
const fix = 'validatedTokens.push([evalTokens[i], resultToken]); // hearth: speculation fix';

const source = readFileSync(file, 'utf8');
if (source.includes(fix)) {
  console.log(`node-llama-cpp ${version}: speculation fix already applied`);
} else if (version !== '3.22.1' || source.split(anchor).length !== 2) {
  console.error(`node-llama-cpp ${version}: the speculation fix was written for 3.22.1 and its anchor was not found; check whether it is still needed.`);
  process.exit(1);
} else {
  writeFileSync(file, source.replace(anchor, `${anchor}\n                                    ${fix}`));
  console.log(`node-llama-cpp ${version}: speculation fix applied`);
}
