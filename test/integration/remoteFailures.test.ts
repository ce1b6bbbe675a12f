// The remote engine's failures over LSP, against small servers on 127.0.0.1 that fail on purpose (the happy paths run
// against a real llama-server in remote.test.ts): an untrusted TLS certificate is an error, not skipped; a failing
// server is retried with growing delays; a refused key is said once and not retried; a server that is neither
// llama-server nor OpenAI-compatible is named so.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { ServerStatus } from '../../common/protocol';
import { LspSession } from '../../tools/src/lspSession';
import { repoRoot, serverPath } from '../support/paths';

const servers: Server[] = [];
const sessions: LspSession[] = [];
after(async () => {
  for (const session of sessions) await session.stop();
  for (const server of servers) server.close();
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

async function remoteSession(url: string): Promise<{ session: LspSession; statuses: ServerStatus[] }> {
  const statuses: ServerStatus[] = [];
  const session = await LspSession.start({ serverPath, settings: { threads: 1, logLevel: 'debug', engine: 'remote', remote: { url } } });
  sessions.push(session);
  session.onStatus((status) => statuses.push(status));
  await session.remoteAccess({ url, consented: true });
  return { session, statuses };
}

test('an untrusted TLS certificate is shown as an error; Hearth does not skip the check', async () => {
  const tls = join(repoRoot, 'test', 'fixtures', 'tls');
  const port = await listen(createHttpsServer({ key: readFileSync(join(tls, 'self-signed.key')), cert: readFileSync(join(tls, 'self-signed.crt')) }, (_req, res) => res.end('{}')));
  const { session } = await remoteSession(`https://127.0.0.1:${port}`);
  const status = await session.waitForStatus((s) => s.state === 'error' && !/Waiting/.test(s.message), 30_000);
  assert.match(status.message, /TLS certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted.*does not skip the check/);
  assert.doesNotMatch(status.message, /Reconnecting/, 'not retried: retrying cannot fix it');
});

test('a failing server (503) is retried with growing delays, or as long as it asks (Retry-After); once it answers, the engine is ready', async () => {
  const probes: number[] = [];
  const port = await listen(
    createHttpServer((req: IncomingMessage, res: ServerResponse) => {
      if (req.url === '/props') {
        probes.push(Date.now());
        if (probes.length <= 2) {
          // The second time it asks for 3 s (Retry-After), more than the backoff's 2.
          res.writeHead(503, { 'content-type': 'application/json', ...(probes.length === 2 ? { 'retry-after': '3' } : {}) }).end('{"error":{"message":"loading model"}}');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ default_generation_settings: { n_ctx: 512 }, total_slots: 1, model_path: '/m/fake.gguf' }));
        return;
      }
      if (req.url === '/tokenize') {
        let body = '';
        req.on('data', (chunk) => (body += chunk));
        req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ tokens: JSON.parse(body).content.startsWith('<fim') ? [1] : [1, 2] })));
        return;
      }
      res.writeHead(404).end();
    }),
  );
  const { session, statuses } = await remoteSession(`http://127.0.0.1:${port}`);
  const ready = await session.waitForStatus((s) => s.state === 'ready', 30_000).catch((error) => {
    throw new Error(`${error.message}: ${JSON.stringify(statuses)}`);
  });
  assert.match(ready.message, /fake\.gguf at 127\.0\.0\.1:\d+ — llama-server \/completion with Hearth's prompt \(starcoder\)/);
  const retries = statuses.filter((s) => /failed \(503: loading model\)\. Reconnecting in/.test(s.message)).map((s) => /in (\d+) s/.exec(s.message)![1]);
  assert.deepEqual(retries, ['1', '3'], 'backoff, or longer where the server asks (Retry-After)');
  const gaps = probes.slice(1).map((t, i) => t - probes[i]!);
  assert.ok(gaps[0]! >= 900 && gaps[1]! >= 2900, `the probes waited: ${gaps.join(', ')} ms`);
});

test('a refused key is said once, and not retried', async () => {
  let probes = 0;
  const port = await listen(
    createHttpServer((_req, res) => {
      probes++;
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"message":"Invalid API Key","type":"authentication_error"}}');
    }),
  );
  const { session } = await remoteSession(`http://127.0.0.1:${port}`);
  const status = await session.waitForStatus((s) => s.state === 'error' && /refused/.test(s.message), 30_000);
  assert.match(status.message, /refused the API key \(401: Invalid API Key\)/);
  await new Promise((resolve) => setTimeout(resolve, 2500));
  assert.equal(probes, 1, 'no retries on a refused key');
});

test('a server that is neither llama-server nor OpenAI-compatible is named so', async () => {
  const port = await listen(createHttpServer((_req, res) => res.writeHead(404).end('not here')));
  const { session } = await remoteSession(`http://127.0.0.1:${port}`);
  const status = await session.waitForStatus((s) => s.state === 'error' && !/Waiting/.test(s.message), 30_000);
  assert.match(status.message, /neither llama-server \(\/props\) nor OpenAI-compatible \(\/v1\/models\)/);
});
