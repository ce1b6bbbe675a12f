// What the server at hearth.remote.url offers, found on connect: llama-server (its /props answers) with the FIM
// markers its vocabulary has (asked through /tokenize), or an OpenAI-compatible server (/v1/models) whose model's FIM
// format comes from the setting or its name. Nothing of the user's code is sent while probing.
import type { RemoteFimFormat } from '../../../common/settings';
import { fimFamilies } from '../model/fimTokens';
import { getJson, postJson, RemoteError, type RemoteEndpoint } from './remoteHttp';
import { type FimMarkers, fimMarkers, guessFimFamily } from './textPrompt';

export interface RemoteEngineInfo {
  /** 'llama-server': /completion with Hearth's own prompt, cache_prompt and a slot per document; 'openai': /v1/completions. */
  kind: 'llama-server' | 'openai';
  /** The model's name as the server gives it. */
  model: string;
  /** FIM markers; undefined when the model has none Hearth knows (completions are then refused with a message). */
  fim: FimMarkers | undefined;
  /** Tokens of context per request (llama-server: a slot's n_ctx; else an assumption). */
  contextTokens: number;
  /** Parallel slots (llama-server's -np); 1 where unknown. */
  slots: number;
  /** Whether /v1/chat/completions can be used for explain and refactor. */
  chat: boolean;
}

interface LlamaProps {
  default_generation_settings?: { n_ctx?: number };
  total_slots?: number;
  model_path?: string;
  chat_template?: string;
}

const familyOf: Record<string, Exclude<RemoteFimFormat, 'auto'>> = {
  'Qwen2.5-Coder / CodeGemma': 'qwen',
  'StarCoder / Granite': 'starcoder',
  'DeepSeek-Coder': 'deepseek',
  CodeLlama: 'codellama',
  Codestral: 'codestral',
};

/** Context assumed for an OpenAI-compatible server, which does not say (a conservative 4 096 tokens). */
export const assumedContextTokens = 4096;

export interface ProbeSettings {
  fimFormat: RemoteFimFormat;
  /** Model name for an OpenAI-compatible server ('' takes the first listed). */
  model: string;
  api: 'auto' | 'llama-server' | 'openai';
}

export async function probeRemote(endpoint: RemoteEndpoint, { fimFormat, model: modelSetting, api }: ProbeSettings, signal?: AbortSignal): Promise<RemoteEngineInfo> {
  let props: LlamaProps | undefined;
  if (api !== 'openai') {
    try {
      props = await getJson<LlamaProps>(endpoint, '/props', signal);
    } catch (error) {
      // Only "not offered here" means not llama-server; a refused key, a failing or busy server is said (and retried) as such.
      if (!(error instanceof RemoteError) || ![404, 405, 501].includes(error.status ?? 0) || api === 'llama-server') throw error;
    }
  }
  if (api === 'llama-server' && !props?.default_generation_settings) throw new RemoteError(`The server at ${endpoint.url} is not llama-server (hearth.remote.api).`, undefined, false);
  if (props?.default_generation_settings) {
    const fim = fimFormat !== 'auto' ? fimMarkers[fimFormat] : await markersInVocabulary(endpoint, signal);
    return {
      kind: 'llama-server',
      model: (props.model_path ?? 'model').split(/[\\/]/).pop()!,
      fim,
      contextTokens: props.default_generation_settings.n_ctx ?? assumedContextTokens,
      slots: Math.max(1, props.total_slots ?? 1),
      chat: typeof props.chat_template === 'string' && props.chat_template !== '',
    };
  }
  let models: { data?: Array<{ id?: string }> };
  try {
    models = await getJson(endpoint, '/v1/models', signal);
  } catch (error) {
    if (error instanceof RemoteError && (error.status === 404 || error.status === 501)) {
      throw new RemoteError(`The server at ${endpoint.url} is neither llama-server (/props) nor OpenAI-compatible (/v1/models).`, error.status, false);
    }
    throw error;
  }
  const listed = (models.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string');
  const model = modelSetting || listed[0];
  if (!model) throw new RemoteError(`The server at ${endpoint.url} lists no model (/v1/models); set hearth.remote.model.`, undefined, false);
  const family = fimFormat !== 'auto' ? fimFormat : guessFimFamily(model);
  return { kind: 'openai', model, fim: family && fimMarkers[family], contextTokens: assumedContextTokens, slots: 1, chat: true };
}

/** The first family whose markers are each one token in the server's vocabulary. */
async function markersInVocabulary(endpoint: RemoteEndpoint, signal?: AbortSignal): Promise<FimMarkers | undefined> {
  const isOneToken = async (text: string) => (await postJson<{ tokens: unknown[] }>(endpoint, '/tokenize', { content: text, add_special: false, parse_special: true }, signal)).tokens.length === 1;
  for (const family of fimFamilies) {
    const name = familyOf[family.name];
    if (!name) continue;
    const markers = fimMarkers[name];
    const wanted = [markers.prefix.trim(), markers.suffix.trim(), ...(markers.middle ? [markers.middle.trim()] : [])];
    if (!(await isOneToken(wanted[0]!))) continue;
    let all = true;
    for (const text of wanted.slice(1)) all &&= await isOneToken(text);
    if (!all) continue;
    // Repository markers only where the vocabulary has them too.
    const repo = markers.repoName && markers.fileSeparator && (await isOneToken(markers.repoName)) && (await isOneToken(markers.fileSeparator));
    return repo ? markers : { ...markers, repoName: undefined, fileSeparator: undefined };
  }
  return undefined;
}
