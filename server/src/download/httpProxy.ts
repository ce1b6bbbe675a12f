// The proxy that model downloads go through, as VS Code's own requests do: `http.proxy` (with `http.noProxy` and
// `http.proxyStrictSSL`) when the editor names one, else the HTTPS_PROXY / HTTP_PROXY / NO_PROXY environment variables
// (what the headless command and a terminal-started editor have), else none. node-llama-cpp's downloader calls
// Node's fetch, which takes its connections from undici's global dispatcher: that is what is set here.
import { Agent, type Dispatcher, EnvHttpProxyAgent, getGlobalDispatcher, setGlobalDispatcher } from 'undici';
import type { ProxySettings } from '../../../common/protocol';

let appliedKey: string | undefined;
const original: Dispatcher = getGlobalDispatcher();

/** Routes this process's fetches as `settings` say (undefined: from the environment alone). */
export function useProxy(settings: ProxySettings | undefined, env: NodeJS.ProcessEnv = process.env): void {
  const fromEnv = env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy;
  const url = settings?.url || undefined;
  const key = JSON.stringify([url, settings?.noProxy, settings?.strictSSL, fromEnv, env.NO_PROXY ?? env.no_proxy]);
  if (key === appliedKey) return;
  appliedKey = key;
  if (url) checkProxyUrl(url);
  if (!url && !fromEnv) {
    setGlobalDispatcher(settings?.strictSSL === false ? new Agent({ connect: { rejectUnauthorized: false } }) : original);
    return;
  }
  const noProxy = url ? settings!.noProxy.join(',') : undefined; // undefined: NO_PROXY from the environment
  // The options go to the direct agent (connect) and to the proxy agents (requestTls: the server's certificate
  // through the tunnel; proxyTls: an https:// proxy's own).
  const tls = settings?.strictSSL === false ? { rejectUnauthorized: false } : undefined;
  const options: EnvHttpProxyAgent.Options & { requestTls?: object; proxyTls?: object } = { httpProxy: url, httpsProxy: url, noProxy, connect: tls, requestTls: tls, proxyTls: tls };
  setGlobalDispatcher(new EnvHttpProxyAgent(options));
}

/** A clear message for a proxy setting that is not a URL, before any connection is tried. */
export function checkProxyUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`http.proxy is not a URL: "${url}" (expected something like http://proxy.example:3128).`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`http.proxy must be an http:// or https:// URL, not ${parsed.protocol}//.`);
}
