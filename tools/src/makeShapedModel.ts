// node out/tools/makeShapedModel.js [FILE]: writes the Qwen2.5-Coder-0.5B-shaped benchmark model (see shapedModel.ts).
import { statSync } from 'node:fs';
import { ensureShapedModel } from './shapedModel';

const started = performance.now();
ensureShapedModel(process.argv[2])
  .then((path) => console.log(`${path}: ${(statSync(path).size / 2 ** 20).toFixed(1)} MiB in ${((performance.now() - started) / 1000).toFixed(1)} s`))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
