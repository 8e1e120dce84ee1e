import type { ServerResponse } from 'node:http';
import type { Status } from '../../api/types.js';

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string | string[]> = {}, contentType = 'application/json'): void {
  sendJsonText(res, code, JSON.stringify(body), headers, contentType);
}

/** sendJson with the body's JSON text at hand. */
export function sendJsonText(res: ServerResponse, code: number, text: string, headers: Record<string, string | string[]> = {}, contentType = 'application/json'): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendStatus(res: ServerResponse, status: Status, headers: Record<string, string | string[]> = {}): void {
  const extra: Record<string, string | string[]> = { ...headers };
  if (status.code === 429 || status.code === 503) extra['Retry-After'] = String(status.details?.retryAfterSeconds ?? 1);
  sendJson(res, status.code, status, extra);
}

export function sendText(res: ServerResponse, code: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** `Warning: 299 - "text"` headers, as kube-apiserver sends them. */
export function warningHeaders(warnings: readonly string[] | undefined): Record<string, string[]> {
  if (!warnings || warnings.length === 0) return {};
  return { Warning: [...new Set(warnings)].map((w) => `299 - ${JSON.stringify(w)}`) };
}

/**
 * A list answered item by item (chunked), waiting for the socket to drain between ~64 KiB
 * chunks: a list of 10,000 pods is never one 90 MB string (nor held whole in the socket's
 * buffer), so a relisting client costs the server no burst of memory. Same bytes as sendJson.
 */
export async function sendJsonList<L extends { items: readonly unknown[] }>(res: ServerResponse, list: L, headers: Record<string, string | string[]> = {},
  stringify: (item: unknown) => string = (item) => JSON.stringify(item)): Promise<void> {
  const { items, ...rest } = list;
  const head = JSON.stringify({ ...rest, items: [] });
  res.writeHead(200, { 'Content-Type': 'application/json', ...headers });
  let chunk = head.slice(0, -2); // …"items":[
  for (let i = 0; i < items.length; i++) {
    chunk += (i ? ',' : '') + stringify(items[i] ?? null);
    if (chunk.length >= 65_536) {
      if (res.destroyed) return;
      const more = res.write(chunk);
      chunk = '';
      if (!more) await drained(res);
    }
  }
  res.end(chunk + head.slice(-2));
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
    res.on('drain', done);
    res.on('close', done);
  });
}
