// What may leave the machine for the remote engine. Files matching `hearth.remote.neverSend` are never part of a
// prompt; in all other text, secrets are replaced by a mark before it is sent: secretlint's recommended rules (AWS,
// GCP, Azure, GitHub, GitLab, Slack, npm, OpenAI, Anthropic, private keys, basic-auth URLs, …), kept by the
// secretlint project, and three of Hearth's own for what those rules leave alone: `password = "…"`-style
// assignments, high-entropy strings assigned to key-like names, and credentials in connection URLs.
import { lintSource } from '@secretlint/core';
import { creator as recommendedRules } from '@secretlint/secretlint-rule-preset-recommend';
import picomatch from 'picomatch';

export const redactionMark = '[REDACTED]';

export interface Redaction {
  text: string;
  /** How many secrets were replaced, by rule. */
  found: Record<string, number>;
}

type Range = { start: number; end: number; rule: string };

/** A value assigned to a name that says it is a password or secret: `password = "…"`, `"apiSecret": "…"`, `token: '…'`. */
const secretAssignment = /\b[\w.-]*(?:password|passwd|passphrase|pwd|secret|api[_-]?key|apikey|access[_-]?key|auth[_-]?token|access[_-]?token|private[_-]?key|client[_-]?secret)[\w-]*["']?\s*(?::=|=>|[:=])\s*(["'`])([^"'`\r\n]{4,})\1/gi;
/** A long random-looking literal assigned to a key-like name (`key`, `token`, `credential`, `signature`, `salt`). */
const keyLikeAssignment = /\b[\w.-]*(?:key|token|credential|signature|salt|auth)[\w-]*["']?\s*(?::=|=>|[:=])\s*(["'`])([A-Za-z0-9+/_\-=.~]{20,})\1/gi;
/** user:password@ in a URL (postgres://, mongodb+srv://, https://, amqp://, …). */
const urlCredentials = /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"'`]+:([^\s@/"'`]+)@/gi;

/** Values that name a secret rather than hold one: a variable, an environment lookup, a template, a placeholder. */
function isReference(value: string): boolean {
  return /^\$\{|^\$[A-Z_]|process\.env|os\.environ|getenv|^<[^>]*>$|^\*+$|^x+$|^(changeme|password|secret|example|dummy|test|todo|none|null|undefined)$/i.test(value);
}

/** Shannon entropy in bits per character. */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

function ownRules(text: string): Range[] {
  const ranges: Range[] = [];
  for (const match of text.matchAll(secretAssignment)) {
    const value = match[2]!;
    if (isReference(value)) continue;
    const start = match.index + match[0].length - 1 - value.length;
    ranges.push({ start, end: start + value.length, rule: 'hearth/secret-assignment' });
  }
  for (const match of text.matchAll(keyLikeAssignment)) {
    const value = match[2]!;
    if (isReference(value) || entropy(value) < 3.5 || !/\d/.test(value) || !/[A-Za-z]/.test(value)) continue;
    const start = match.index + match[0].length - 1 - value.length;
    ranges.push({ start, end: start + value.length, rule: 'hearth/high-entropy-key' });
  }
  for (const match of text.matchAll(urlCredentials)) {
    const password = match[1]!;
    if (isReference(password)) continue;
    const start = match.index + match[0].length - 1 - password.length;
    ranges.push({ start, end: start + password.length, rule: 'hearth/url-credentials' });
  }
  return ranges;
}

const secretlintConfig = { rules: [{ id: recommendedRules.meta.id, rule: recommendedRules, options: {} }] };

/** `text` with every secret found replaced by the mark. `fileName` only picks secretlint's rules for the kind of file. */
export async function redactSecrets(text: string, fileName = 'code.txt'): Promise<Redaction> {
  const ranges = ownRules(text);
  if (text.length > 0) {
    const ext = /\.[^./\\]+$/.exec(fileName)?.[0] ?? '';
    const result = await lintSource({ source: { content: text, filePath: fileName, ext, contentType: 'text' }, options: { config: secretlintConfig, noPhysicFilePath: true } });
    for (const message of result.messages) ranges.push({ start: message.range[0], end: message.range[1], rule: message.ruleId.replace('@secretlint/secretlint-rule-', 'secretlint/') });
  }
  return apply(text, ranges);
}

function apply(text: string, ranges: Range[]): Redaction {
  const found: Record<string, number> = {};
  for (const range of ranges) found[range.rule] = (found[range.rule] ?? 0) + 1; // each rule that found it, overlaps included
  if (ranges.length === 0) return { text, found };
  ranges.sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let at = 0;
  for (const range of ranges) {
    if (range.end <= at) continue; // inside one already replaced
    out += text.slice(at, Math.max(at, range.start)) + redactionMark;
    at = range.end;
  }
  return { text: out + text.slice(at), found };
}

/**
 * Whether a file must never be sent: `globs` match its workspace-relative path, and a pattern without a slash its
 * name anywhere (as .gitignore does). Paths use forward slashes.
 */
export function neverSendMatcher(globs: readonly string[]): (path: string) => boolean {
  const withSlash = globs.filter((glob) => glob.includes('/'));
  const names = globs.filter((glob) => !glob.includes('/'));
  const full = withSlash.length > 0 ? picomatch(withSlash, { dot: true }) : () => false;
  const byName = names.length > 0 ? picomatch(names, { dot: true }) : () => false;
  return (path) => {
    const relative = path.replace(/\\/g, '/').replace(/^\/+/, '');
    return full(relative) || byName(relative.slice(relative.lastIndexOf('/') + 1));
  };
}
