// How the language server's Node process is started, wherever it is: by the extension (vscode-languageclient), by the
// headless tools and by the tests (tools/src/lspSession.ts), so that what is measured is what users run.

/**
 * V8 flags for the server. `--optimize-for-size` makes V8 grow its heap in small steps and collect sooner: under 20
 * keystrokes a second the server allocates ~20 MiB/s, and with V8's default sizing the heap swung between ~59 and
 * ~76 MiB (RSS up to +16 % within a minute, then back) while the live heap stayed 29–45 MiB; with this flag the heap
 * stays ~37 MiB, RSS is ~35 MiB lower and completions were not slower (served p50 25 vs 31 ms, p95 46 vs 44 ms;
 * test/integration/load.test.ts).
 */
export const serverExecArgv: readonly string[] = ['--optimize-for-size'];
