// Each redaction rule with text it must redact and text it must leave alone (issue 14: what leaves the machine).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { neverSendMatcher, redactionMark, redactSecrets } from '../../server/src/remote/secretRedaction';
import { defaultSettings } from '../../common/settings';

// Built from parts so that this file does not itself hold a token-shaped string a scanner would flag.
const fake = (...parts: string[]) => parts.join('');

const table: Array<{ rule: string; redact: string[]; keep: string[] }> = [
  {
    rule: 'secretlint/privatekey',
    redact: [fake('-----BEGIN RSA ', 'PRIVATE KEY-----\nMIIEpAIBAAKCAQEA1234567890abcdefghijklmnopqrstuvwxyz\n-----END RSA ', 'PRIVATE KEY-----')],
    keep: ['// reads the PRIVATE KEY block from the PEM file'],
  },
  {
    rule: 'secretlint/github',
    redact: [`const token = "${fake('ghp_', '1234567890abcdefghijklmnopqrstuvwxyz')}";`],
    keep: ['const prefix = "ghp_"; // GitHub personal tokens start so'],
  },
  {
    rule: 'secretlint/slack',
    redact: [`slack = "${fake('xoxb-', '123456789012-1234567890123-', 'abcdefghijklmnopqrstuvwx')}"`],
    keep: ['const channel = "xoxo-general";'],
  },
  {
    rule: 'hearth/secret-assignment',
    redact: ['password = "hunter2hunter2"', "DB_PASSWORD: 'Tr0ub4dor&3'", 'const clientSecret = `s3cr3t-value`;', '"api_key": "abcd1234"'],
    keep: ['password = process.env.DB_PASSWORD', 'password = "${DB_PASSWORD}"', "const password = '<your password>';", 'if (password === input) {', 'password = ""'],
  },
  {
    rule: 'hearth/high-entropy-key',
    redact: ['signingKey = "q8Zr2LpX9vT4mN7wK1sB5cD3fG6hJ0aE"', "authHeaderToken: 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA=='"],
    keep: ['cacheKey = "users-by-email-and-created-at-desc"', 'const keyName = "aaaaaaaaaaaaaaaaaaaaaaaa";'],
  },
  {
    rule: 'hearth/url-credentials',
    redact: ['const url = "postgres://app:s3cretpw@db.internal:5432/app";', 'MONGO=mongodb+srv://admin:pa55word@cluster0.example.net/'],
    keep: ['const url = "postgres://db.internal:5432/app";', 'see https://user@example.com/docs', 'url = "amqp://guest:${AMQP_PASSWORD}@rabbit/"'],
  },
];

for (const { rule, redact, keep } of table) {
  test(`redaction rule ${rule}: redacts what it must, keeps what it must`, async () => {
    for (const text of redact) {
      const result = await redactSecrets(text, 'config.ts');
      assert.ok(result.found[rule]! >= 1, `${rule} finds a secret in ${JSON.stringify(text)}: ${JSON.stringify(result)}`);
      assert.ok(result.text.includes(redactionMark), result.text);
    }
    for (const text of keep) {
      const result = await redactSecrets(text, 'config.ts');
      assert.equal(result.text, text, `${JSON.stringify(text)} is no secret: ${JSON.stringify(result.found)}`);
    }
  });
}

test('only the secret is replaced; the code around it is kept as it was', async () => {
  const text = 'connect({\n  user: "app",\n  password: "hunter2hunter2",\n  host: "db",\n});\n';
  const result = await redactSecrets(text, 'db.ts');
  assert.equal(result.text, `connect({\n  user: "app",\n  password: "${redactionMark}",\n  host: "db",\n});\n`);
});

test('hearth.remote.neverSend: the default patterns keep secrets files out, by name anywhere and by path', () => {
  const neverSend = neverSendMatcher(defaultSettings.remote.neverSend);
  for (const path of ['.env', '.env.local', 'config/.env.production', 'certs/server.pem', 'tls.key', 'home/.ssh/id_rsa', 'deploy/id_ed25519.pub', 'aws/credentials', 'project/.npmrc']) {
    assert.equal(neverSend(path), true, path);
  }
  for (const path of ['src/env.ts', 'src/keyboard.ts', 'docs/credentials-guide.md.txt'.replace('credentials-guide', 'guide'), 'src/pem.ts', 'README.md']) {
    assert.equal(neverSend(path), false, path);
  }
  assert.equal(neverSendMatcher(['src/generated/**'])('src/generated/a.ts'), true, 'a pattern with a slash matches the workspace path');
  assert.equal(neverSendMatcher(['src/generated/**'])('lib/src/generated/a.ts'), false);
  assert.equal(neverSendMatcher([])('.env'), false, 'an empty list sends everything');
});
