// Waiting for the server to say something: the first line matching `pattern` among those logged since `from`.

/** Resolves with the first line of `logs` (from `from` on) that matches, polling until it comes; fails after 60 s. */
export async function waitForLine(logs: string[], pattern: RegExp, from = 0): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const line = logs.slice(from).find((l) => pattern.test(l));
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no log line ${pattern}; log:\n${logs.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
