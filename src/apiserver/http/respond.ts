import type { ServerResponse } from 'node:http';
import type { Status } from '../../api/types.js';

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string | string[]> = {}, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
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
