// Loaded into every test process by scripts/test.mjs (--require): a test file that calls process.exit(0) part-way
// would be reported as passed by node's test runner with the tests after it never run. Here it fails instead.
// Only in a test file's own process (node's runner marks it with NODE_TEST_CONTEXT; the runner itself passes the
// guard on to each): there it takes itself out of process.execArgv, which fork() hands on, so the processes a test
// starts (node-llama-cpp's binary probe, the fuzzer's worker) exit as they mean to.
if (!process.env.NODE_TEST_CONTEXT) return;
const guard = __filename;
const at = process.execArgv.findIndex((arg, i) => arg === `--require=${guard}` || ((arg === '--require' || arg === '-r') && process.execArgv[i + 1] === guard));
if (at >= 0) process.execArgv.splice(at, process.execArgv[at].includes('=') ? 1 : 2);

const exit = process.exit.bind(process);
process.exit = (code) => {
  if (!code) {
    process.stderr.write(`process.exit(${code ?? ''}) inside a test file: the tests after it never ran (counted as a failure)\n`);
    return exit(1);
  }
  return exit(code);
};
