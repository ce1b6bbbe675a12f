// Loaded into every test process by scripts/test.mjs (--require): a test file that calls process.exit(0) part-way
// would be reported as passed by node's test runner with the tests after it never run. Here it fails instead.
const exit = process.exit.bind(process);
process.exit = (code) => {
  if (!code) {
    process.stderr.write(`process.exit(${code ?? ''}) inside a test file: the tests after it never ran (counted as a failure)\n`);
    return exit(1);
  }
  return exit(code);
};
