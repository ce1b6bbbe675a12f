// Mutation testing (`npm run mutate`, not in CI): StrykerJS mutates the modules that decide what ghost text the user
// sees, builds once with every mutant switchable (esbuild, as for the tests), and runs the compiled test files that
// cover each mutant through its TAP runner (node's own test runner prints TAP). tools/src/mutationReport.ts prints
// the score per module and writes it to docs/RELIABILITY.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: [
    'server/src/completion/completionPipeline.ts',
    'server/src/completion/completionCache.ts',
    'server/src/completion/stopRules/*.ts',
    'server/src/completion/filters/*.ts',
    'server/src/model/fimTemplate.ts',
    'server/src/model/{tokenStream,tokenLoop,kvReuse}.ts',
    'server/src/context/{contextBuilder,contextText,contextSource,definitionsSource,receiverTypes,typeOutline,similarSource,recentEditsSource}.ts',
    'server/src/engines/engines.ts',
    'client/src/inlineMiddleware.ts',
  ],
  buildCommand: 'node scripts/build.mjs --quiet',
  testRunner: 'tap',
  tap: {
    testFiles: ['out/test/unit/*.test.js'],
    nodeArgs: ['--enable-source-maps', '--require', '{{hookFile}}', '{{testFile}}'],
    forceBail: true,
  },
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 20000,
  reporters: ['clear-text', 'json', 'html', 'progress'],
  jsonReporter: { fileName: 'test-results/mutation/mutation.json' },
  htmlReporter: { fileName: 'test-results/mutation/mutation.html' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  ignorePatterns: ['/.cache', '/.tools', '/.test-state', '/test-results', '/bench-results', '/dist', '/out', '*.vsix'],
  // The tests run on esbuild's bundles; TypeScript is not involved (and its tsconfig rewrite needs the JS API TypeScript 7 lacks).
  tsconfigFile: 'no-tsconfig-for-stryker.json',
  // esbuild does not type-check, so nothing needs `// @ts-nocheck`; Stryker's default would also add it to the eval
  // projects' TypeScript under test/ and move their lines, which the context tests pin.
  disableTypeChecks: false,
};
