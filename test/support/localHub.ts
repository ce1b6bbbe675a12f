// A model hub on 127.0.0.1 that serves files the way Hugging Face does: the API lists a repository's files with
// their size and LFS sha256 (`/api/models/<repo>/tree/main`), a file URL (`/<repo>/resolve/main/<file>`) redirects
// to its blob, which answers HEAD and Range requests. Faults on demand: a slow link, a connection dropped part-way,
// wrong bytes, a missing file.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HubFile {
  repo: string;
  name: string;
  bytes: Buffer;
}

export interface HubFaults {
  /** Bytes per second per response (0: as fast as possible). */
  bytesPerSecond?: number;
  /** Close the connection after sending this many bytes of a blob response (once per value set). */
  dropAfterBytes?: number;
  /** Serve these bytes instead of the file's (the API still states the real sha256). */
  corrupt?: boolean;
  /** The API states this size instead of the real one (a file too big for the disk). */
  statedBytes?: number;
}

export class LocalHub {
  readonly files = new Map<string, HubFile & { sha256: string }>();
  faults: HubFaults = {};
  /** Blob requests received, with their Range header. */
  readonly blobRequests: Array<{ path: string; range: string | undefined }> = [];
  /** Blob bytes written to connections so far. */
  blobBytesSent = 0;
  private server!: Server;
  url = '';

  static async start(files: ReadonlyArray<{ repo: string; name: string; path: string }>): Promise<LocalHub> {
    const hub = new LocalHub();
    for (const file of files) {
      const bytes = readFileSync(file.path);
      hub.files.set(`${file.repo}/${file.name}`, { repo: file.repo, name: file.name, bytes, sha256: createHash('sha256').update(bytes).digest('hex') });
    }
    hub.server = createServer((request, response) => hub.handle(request, response));
    await new Promise<void>((resolve) => hub.server.listen(0, '127.0.0.1', resolve));
    hub.url = `http://127.0.0.1:${(hub.server.address() as AddressInfo).port}`;
    return hub;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', this.url);
    // The repository's listing, or a folder's (`/tree/main/<folder>`); entries carry their full paths.
    const tree = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/main(?:\/(.*))?$/.exec(url.pathname);
    if (tree) {
      const repo = decodeURIComponent(tree[1]!);
      const folder = tree[2] ? `${decodeURIComponent(tree[2]).replace(/\/$/, '')}/` : '';
      const inFolder = (name: string) => name.startsWith(folder) && !name.slice(folder.length).includes('/');
      const entries = [...this.files.values()].filter((f) => f.repo === repo && inFolder(f.name)).map((f) => ({ type: 'file', path: f.name, size: this.faults.statedBytes ?? f.bytes.length, lfs: { oid: f.sha256, size: this.faults.statedBytes ?? f.bytes.length, pointerSize: 134 } }));
      if (entries.length === 0) return this.send(response, 404, { error: 'Repository not found' });
      return this.send(response, 200, entries);
    }
    const resolve = /^\/(.+)\/resolve\/main\/(.+)$/.exec(url.pathname);
    if (resolve) {
      const file = this.files.get(`${decodeURIComponent(resolve[1]!)}/${decodeURIComponent(resolve[2]!)}`);
      if (!file) return this.send(response, 404, { error: 'Entry not found' });
      response.writeHead(302, { location: `/blobs/${file.sha256}` });
      response.end();
      return;
    }
    const blob = /^\/blobs\/([0-9a-f]{64})$/.exec(url.pathname);
    const file = blob && [...this.files.values()].find((f) => f.sha256 === blob[1]);
    if (!file) return this.send(response, 404, { error: 'Blob not found' });
    this.blobRequests.push({ path: url.pathname, range: request.headers.range });
    const bytes = this.faults.corrupt ? Buffer.from(file.bytes).fill(0x5a, 1000, 2000) : file.bytes;
    const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const end = range && range[2] ? Number(range[2]) + 1 : bytes.length;
    const headers = { 'content-length': String(end - start), 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream', etag: `"${file.sha256}"` };
    if (range) response.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end - 1}/${bytes.length}` });
    else response.writeHead(200, headers);
    if (request.method === 'HEAD') return void response.end();
    void this.stream(response, bytes.subarray(start, end));
  }

  private async stream(response: ServerResponse, bytes: Buffer): Promise<void> {
    const chunk = 64 * 1024;
    const drop = this.faults.dropAfterBytes;
    if (drop !== undefined) this.faults.dropAfterBytes = undefined; // one dropped connection per setting
    for (let at = 0; at < bytes.length; at += chunk) {
      if (response.destroyed) return;
      if (drop !== undefined && at >= drop) {
        response.socket?.destroy();
        return;
      }
      const piece = bytes.subarray(at, Math.min(bytes.length, at + chunk));
      const ok = response.write(piece);
      this.blobBytesSent += piece.length;
      if (!ok) await new Promise((resolve) => response.once('drain', resolve));
      const rate = this.faults.bytesPerSecond ?? 0;
      if (rate > 0) await new Promise((resolve) => setTimeout(resolve, (chunk / rate) * 1000));
    }
    response.end();
  }

  private send(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  }
}
