import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { request as httpRequest, Agent as HttpAgent, type IncomingMessage } from 'node:http';
import type { ResourceDefinition } from '../api/resource.js';
import type { KubeList, KubeObject, Status, WatchEvent } from '../api/types.js';
import { apiVersionOf } from '../api/types.js';
import { StatusError, statusError } from '../api/errors.js';
import type { Client, DeleteOptions, ListOptions, PatchOptions, PatchType, WatchOptions, WriteOptions } from './types.js';

export interface RestConfig {
  /** https://host:port */
  server: string;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  token?: string;
  insecureSkipTlsVerify?: boolean;
  /** Per-request timeout for non-watch calls, ms. */
  timeoutMs?: number;
  userAgent?: string;
}

const patchContentTypes: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** The Kubernetes API over HTTPS, for agents, the simulator and tests. */
export function restClient(config: RestConfig): Client & { raw: RawRequester; close(): void } {
  const url = new URL(config.server);
  const isHttps = url.protocol === 'https:';
  const agent = isHttps
    ? new HttpsAgent({ keepAlive: true, maxSockets: 64, ca: config.ca, cert: config.cert, key: config.key, rejectUnauthorized: !config.insecureSkipTlsVerify })
    : new HttpAgent({ keepAlive: true, maxSockets: 64 });
  const baseHeaders: Record<string, string> = { 'User-Agent': config.userAgent ?? 'k8ts/v1.33' };
  if (config.token) baseHeaders.Authorization = `Bearer ${config.token}`;

  function send(method: string, path: string, opts: { body?: unknown; contentType?: string; signal?: AbortSignal; stream?: boolean } = {}): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...baseHeaders, Accept: 'application/json' };
      let payload: Buffer | undefined;
      if (opts.body !== undefined) {
        payload = Buffer.from(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body));
        headers['Content-Type'] = opts.contentType ?? 'application/json';
        headers['Content-Length'] = String(payload.length);
      }
      const req = (isHttps ? httpsRequest : httpRequest)({
        protocol: url.protocol, hostname: url.hostname, port: url.port, method, path, headers, agent, signal: opts.signal,
        timeout: opts.stream ? undefined : config.timeoutMs ?? 60_000,
      }, resolve);
      req.on('timeout', () => req.destroy(new Error(`request timed out: ${method} ${path}`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  async function call<T>(method: string, path: string, opts: { body?: unknown; contentType?: string; signal?: AbortSignal } = {}): Promise<T> {
    const res = await send(method, path, opts);
    const text = await readAll(res);
    if ((res.statusCode ?? 500) >= 400) throw toStatusError(res.statusCode ?? 500, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  const client: Client & { raw: RawRequester; close(): void } = {
    get: (res, namespace, name, opts) => call('GET', objectPath(res, namespace, name), { signal: opts?.signal }),
    list: (res, opts = {}) => call('GET', collectionPath(res, opts.namespace) + listQuery(opts), { signal: opts.signal }),
    create: (res, obj, opts) => call('POST', collectionPath(res, obj.metadata.namespace) + writeQuery(opts), { body: withTypeMeta(res, obj), signal: opts?.signal }),
    update: (res, obj, opts) => call('PUT', objectPath(res, obj.metadata.namespace ?? '', obj.metadata.name!) + writeQuery(opts), { body: withTypeMeta(res, obj), signal: opts?.signal }),
    updateStatus: (res, obj, opts) => call('PUT', objectPath(res, obj.metadata.namespace ?? '', obj.metadata.name!) + '/status' + writeQuery(opts), { body: withTypeMeta(res, obj), signal: opts?.signal }),
    updateSubresource: (res, obj, subresource, opts) => call('PUT', `${objectPath(res, obj.metadata.namespace ?? '', obj.metadata.name!)}/${subresource}${writeQuery(opts)}`, { body: withTypeMeta(res, obj), signal: opts?.signal }),
    patch: (res, namespace, name, type, patch, opts?: PatchOptions) => {
      const sub = opts?.subresource ? `/${opts.subresource}` : '';
      const q = writeQuery(opts, type === 'apply' && opts?.force ? { force: 'true' } : {});
      return call('PATCH', objectPath(res, namespace, name) + sub + q, { body: patch, contentType: patchContentTypes[type], signal: opts?.signal });
    },
    delete: (res, namespace, name, opts?: DeleteOptions) => call<KubeObject | Status>('DELETE', objectPath(res, namespace, name) + (opts?.dryRun ? '?dryRun=All' : ''), { body: deleteBody(opts), signal: opts?.signal }) as never,
    deleteCollection: (res, opts = {}) => call('DELETE', collectionPath(res, opts.namespace) + listQuery(opts), { body: deleteBody(opts), signal: opts.signal }) as never,
    watch: (res, opts, signal) => watchStream(res, opts, signal),
    createSubresource: (res, namespace, name, subresource, body, opts?: WriteOptions) =>
      call('POST', `${objectPath(res, namespace, name)}/${subresource}${writeQuery(opts)}`, { body, signal: opts?.signal }),
    raw: (method, path, body, signal) => call(method, path, { body, signal }),
    close: () => agent.destroy(),
  };

  async function* watchStream<T extends KubeObject>(res: ResourceDefinition<T>, opts: WatchOptions, signal: AbortSignal): AsyncGenerator<WatchEvent<T>> {
    const path = collectionPath(res, opts.namespace) + listQuery({ ...opts }, { watch: 'true', ...(opts.allowWatchBookmarks ? { allowWatchBookmarks: 'true' } : {}), ...(opts.timeoutSeconds ? { timeoutSeconds: String(opts.timeoutSeconds) } : {}), ...(opts.sendInitialEvents ? { sendInitialEvents: 'true' } : {}) });
    const response = await send('GET', path, { signal, stream: true });
    if ((response.statusCode ?? 500) >= 400) throw toStatusError(response.statusCode ?? 500, await readAll(response));
    let buffer = '';
    try {
      for await (const chunk of response as AsyncIterable<Buffer>) {
        buffer += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (!line) continue;
          const event = JSON.parse(line) as WatchEvent<T>;
          if (event.type === 'ERROR') {
            const st = event.object as unknown as Status;
            throw new StatusError({ ...st, kind: 'Status', apiVersion: 'v1', metadata: st.metadata ?? {}, status: 'Failure', code: st.code ?? 500 });
          }
          yield event;
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    } finally {
      response.destroy();
    }
  }

  return client;
}

export type RawRequester = <T>(method: string, path: string, body?: unknown, signal?: AbortSignal) => Promise<T>;

export function collectionPath(res: Pick<ResourceDefinition, 'group' | 'version' | 'plural' | 'scope'>, namespace?: string): string {
  const base = res.group ? `/apis/${res.group}/${res.version}` : `/api/${res.version}`;
  const ns = res.scope === 'Namespaced' && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${res.plural}`;
}

export function objectPath(res: Pick<ResourceDefinition, 'group' | 'version' | 'plural' | 'scope'>, namespace: string, name: string): string {
  return `${collectionPath(res, namespace)}/${encodeURIComponent(name)}`;
}

function withTypeMeta<T extends KubeObject>(res: ResourceDefinition<T>, obj: T): T {
  return { ...obj, apiVersion: apiVersionOf(res.group, res.version), kind: res.kind };
}

function listQuery(opts: ListOptions, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  if (opts.labelSelector) q.set('labelSelector', opts.labelSelector);
  if (opts.fieldSelector) q.set('fieldSelector', opts.fieldSelector);
  if (opts.limit) q.set('limit', String(opts.limit));
  if (opts.continue) q.set('continue', opts.continue);
  if (opts.resourceVersion !== undefined) q.set('resourceVersion', opts.resourceVersion);
  if (opts.resourceVersionMatch) q.set('resourceVersionMatch', opts.resourceVersionMatch);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

function writeQuery(opts?: WriteOptions, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  if (opts?.dryRun) q.set('dryRun', 'All');
  if (opts?.fieldManager) q.set('fieldManager', opts.fieldManager);
  if (opts?.fieldValidation) q.set('fieldValidation', opts.fieldValidation);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

function deleteBody(opts?: DeleteOptions): Record<string, unknown> | undefined {
  if (!opts) return undefined;
  const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
  if (opts.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = opts.gracePeriodSeconds;
  if (opts.propagationPolicy) body.propagationPolicy = opts.propagationPolicy;
  if (opts.preconditions) body.preconditions = opts.preconditions;
  return body;
}

async function readAll(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

/** Rebuilds the server's Status as a StatusError (or a generic one for non-Status bodies). */
export function toStatusError(code: number, text: string): StatusError {
  try {
    const body = JSON.parse(text) as Status;
    if (body && body.kind === 'Status') return new StatusError({ ...body, code: body.code ?? code });
  } catch {
    // not JSON: fall through to a generic Status carrying the text
  }
  return statusError(code, code === 404 ? 'NotFound' : code >= 500 ? 'InternalError' : 'BadRequest', text || `the server responded with status ${code}`);
}
