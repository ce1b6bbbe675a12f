// HTTP to an inference server the user pointed Hearth at: JSON requests, server-sent event streams, an API key as a
// bearer token, and failures turned into messages a user can act on. Nothing here decides what is sent; the callers
// pass only sanitized text (see secretRedaction.ts).

/** A failure talking to the remote engine, with what the user should know. `retryable`: worth trying again later. */
export class RemoteError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
    /** How long the server asked to be left alone (its Retry-After), in seconds. */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

export interface RemoteEndpoint {
  /** The server's base URL, without a trailing slash. */
  url: string;
  apiKey?: string;
  /** Per request: the most it may take to answer (headers), in ms. */
  timeoutMs: number;
}

/** Loopback hosts: plain http to them never leaves the machine. */
export function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Whether Hearth may talk to this URL: https anywhere, http only to loopback unless the user allowed it. */
export function checkRemoteUrl(raw: string, allowHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RemoteError(`hearth.remote.url is not a URL: ${JSON.stringify(raw)}`, undefined, false);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RemoteError(`hearth.remote.url must be http(s), not ${url.protocol}`, undefined, false);
  if (url.protocol === 'http:' && !isLoopback(url) && !allowHttp) {
    throw new RemoteError(`Plain http to ${url.host} would send code unencrypted: use https, or set hearth.remote.allowHttp if the network is yours.`, undefined, false);
  }
  return url;
}

function headers(endpoint: RemoteEndpoint): Record<string, string> {
  return { 'content-type': 'application/json', ...(endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}) };
}

/** The most Hearth waits because a server said so (Retry-After): beyond this, it tries again anyway. */
const maxRetryAfterS = 600;

/** A Retry-After header's wait in seconds (delay-seconds or an HTTP date), or undefined when absent or unreadable. */
export function retryAfterSeconds(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  const seconds = /^\d+$/.test(trimmed) ? Number(trimmed) : (Date.parse(trimmed) - now) / 1000;
  if (!Number.isFinite(seconds)) return undefined;
  return Math.min(maxRetryAfterS, Math.max(0, Math.ceil(seconds)));
}

/** The message for an HTTP failure status, from what the server said where it said something. */
export function statusMessage(status: number, body: string, url: string, retryAfter?: string | null): RemoteError {
  const said = serverSaid(body);
  const wait = retryAfterSeconds(retryAfter);
  if (status === 401 || status === 403) return new RemoteError(`The server at ${url} refused the API key (${status}${said ? `: ${said}` : ''}). Set it with "Hearth: Set Remote API Key".`, status, false);
  if (status === 404 || status === 501) return new RemoteError(`The server at ${url} does not offer this (${status}${said ? `: ${said}` : ''}).`, status, false);
  if (status === 429) return new RemoteError(`The server at ${url} is busy (429, too many requests)${said ? `: ${said}` : ''}.`, status, true, wait);
  if (status >= 500) return new RemoteError(`The server at ${url} failed (${status}${said ? `: ${said}` : ''}).`, status, true, wait);
  return new RemoteError(`The server at ${url} answered ${status}${said ? `: ${said}` : ''}.`, status, false);
}

function serverSaid(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: string } | string; message?: string };
    const message = typeof parsed.error === 'string' ? parsed.error : (parsed.error?.message ?? parsed.message);
    if (message) return message.slice(0, 300);
  } catch {
    // not JSON
  }
  return body.trim().slice(0, 200);
}

/** A network-level failure (refused, reset, DNS, TLS) as a message; TLS problems are named, never skipped. */
export function networkMessage(error: unknown, url: string): RemoteError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? '';
  if (code === 'ECONNREFUSED') return new RemoteError(`Nothing answers at ${url} (connection refused). Is the server running?`, undefined, true);
  if (/CERT|SSL|TLS|SELF_SIGNED/i.test(code) || /certificate/i.test(cause?.message ?? '')) {
    return new RemoteError(`The TLS certificate of ${url} is not trusted (${code || cause?.message}). Hearth does not skip the check; install the certificate (NODE_EXTRA_CA_CERTS) or fix the server's.`, undefined, false);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new RemoteError(`The host of ${url} is not found (${code}).`, undefined, true);
  return new RemoteError(`Could not reach ${url}: ${cause?.message ?? (error as Error).message}`, undefined, true);
}

async function send(endpoint: RemoteEndpoint, path: string, init: { method: string; body?: unknown; signal?: AbortSignal }): Promise<Response> {
  const timeout = AbortSignal.timeout(endpoint.timeoutMs);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(`${endpoint.url}${path}`, { method: init.method, headers: headers(endpoint), body: init.body === undefined ? undefined : JSON.stringify(init.body), signal });
  } catch (error) {
    if (init.signal?.aborted) throw init.signal.reason ?? error;
    if (timeout.aborted) throw new RemoteError(`The server at ${endpoint.url} did not answer within ${endpoint.timeoutMs} ms.`, undefined, true);
    throw networkMessage(error, endpoint.url);
  }
  if (!response.ok) throw statusMessage(response.status, await response.text().catch(() => ''), endpoint.url, response.headers.get('retry-after'));
  return response;
}

export async function getJson<T>(endpoint: RemoteEndpoint, path: string, signal?: AbortSignal): Promise<T> {
  return (await (await send(endpoint, path, { method: 'GET', signal })).json()) as T;
}

export async function postJson<T>(endpoint: RemoteEndpoint, path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  return (await (await send(endpoint, path, { method: 'POST', body, signal })).json()) as T;
}

/**
 * POSTs and yields each server-sent event's data, parsed as JSON, until the stream ends or `[DONE]`. Aborting the
 * signal closes the connection: llama-server and OpenAI-compatible servers stop generating when their client goes.
 */
export async function* postEvents<T>(endpoint: RemoteEndpoint, path: string, body: unknown, signal: AbortSignal): AsyncGenerator<T> {
  const response = await send(endpoint, path, { method: 'POST', body, signal });
  if (!response.body) throw new RemoteError(`The server at ${endpoint.url} sent no stream.`, response.status, true);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      for (let end = buffer.search(/\r?\n\r?\n/); end >= 0; end = buffer.search(/\r?\n\r?\n/)) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + (buffer[end] === '\r' ? 4 : 2));
        const data = eventData(event);
        if (data === undefined) continue;
        if (data === '[DONE]') return;
        yield parseEvent<T>(data, endpoint.url);
      }
    }
    const rest = eventData(buffer);
    if (rest !== undefined && rest !== '[DONE]') yield parseEvent<T>(rest, endpoint.url);
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** The `data:` lines of one event, joined (SSE); undefined for an event without data (a comment, a keep-alive). */
export function eventData(event: string): string | undefined {
  const lines = event.split(/\r?\n/).filter((line) => line.startsWith('data:'));
  if (lines.length === 0) return undefined;
  return lines.map((line) => line.slice(5).replace(/^ /, '')).join('\n');
}

function parseEvent<T>(data: string, url: string): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw new RemoteError(`The server at ${url} sent an event that is not JSON: ${data.slice(0, 100)}`, undefined, false);
  }
  const error = (parsed as { error?: { message?: string; code?: number } | string }).error;
  if (error) throw new RemoteError(`The server at ${url} failed: ${typeof error === 'string' ? error : (error.message ?? JSON.stringify(error))}`, typeof error === 'object' ? error.code : undefined, true);
  return parsed as T;
}
