// A stop rule looks at the text generated so far, after every token. It returns the length to keep when
// generation must stop now, or undefined to go on. Rules are pure and run while tokens stream in.
export type StopRule = (generated: string) => number | undefined;
