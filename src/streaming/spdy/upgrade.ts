/**
 * The HTTP/1.1 upgrade to SPDY/3.1 as Kubernetes' httpstream does it: the client sends
 * `Connection: Upgrade`, `Upgrade: SPDY/3.1` and its `X-Stream-Protocol-Version` list; the server
 * picks the first of the client's protocols it supports and answers 101.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { SpdySession, type SpdySessionOptions } from './session.js';

export const spdyUpgradeName = 'SPDY/3.1';
export const protocolVersionHeader = 'X-Stream-Protocol-Version';

/** All values of a possibly repeated, comma-separated request header, in order. */
export function headerList(headers: IncomingHttpHeaders, name: string): string[] {
  const raw = headers[name.toLowerCase()];
  const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

export function isSpdyUpgrade(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase().startsWith('spdy/3');
}

/** The client's first protocol that the server supports: '' when the client asked for none, undefined when nothing matches. */
export function negotiateProtocol(clientProtocols: readonly string[], serverProtocols: readonly string[]): string | undefined {
  if (clientProtocols.length === 0) return '';
  return clientProtocols.find((p) => serverProtocols.includes(p));
}

/** Writes a plain HTTP error answer on a socket that has not been upgraded, and closes it. */
export function rejectUpgrade(socket: Duplex, code: number, reason: string, body: string, extraHeaders: Record<string, string> = {}): void {
  if (!socket.writable) { socket.destroy(); return; }
  const extra = Object.entries(extraHeaders).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(`HTTP/1.1 ${code} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`);
}

/**
 * Server side: negotiates the stream protocol, answers 101 and starts a server session. On a
 * failed negotiation answers 403 (as upstream) and returns undefined.
 */
export function acceptSpdy(req: IncomingMessage, socket: Duplex, head: Buffer, supported: readonly string[],
  opts: Omit<SpdySessionOptions, 'isServer' | 'head'>): { session: SpdySession; protocol: string } | undefined {
  const offered = headerList(req.headers, protocolVersionHeader);
  const protocol = negotiateProtocol(offered, supported);
  if (protocol === undefined) {
    rejectUpgrade(socket, 403, 'Forbidden',
      `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server supports [${supported.join(' ')}]`,
      { 'X-Accepted-Stream-Protocol-Versions': supported.join(', ') });
    return undefined;
  }
  const lines = ['HTTP/1.1 101 Switching Protocols', 'Connection: Upgrade', `Upgrade: ${spdyUpgradeName}`];
  if (protocol) lines.push(`${protocolVersionHeader}: ${protocol}`);
  socket.write(lines.join('\r\n') + '\r\n\r\n');
  setNoDelay(socket);
  return { session: new SpdySession(socket, { ...opts, isServer: true, head }), protocol };
}

/** The HTTP error a SPDY dial received instead of 101. */
export class UpgradeFailedError extends Error {
  override readonly name = 'UpgradeFailedError';
  constructor(readonly statusCode: number, readonly body: string) {
    super(`unable to upgrade connection: ${body.trim() || `HTTP ${statusCode}`}`);
  }
}

export interface SpdyDialOptions extends Omit<SpdySessionOptions, 'isServer' | 'head'> {
  method?: string;
  headers?: Record<string, string>;
  /** TLS options for https: URLs (ca, cert, key…). */
  tls?: RequestOptions;
  signal?: AbortSignal;
}

/** Client side: upgrades an http(s) URL to SPDY/3.1 offering `protocols`, and starts a client session. */
export function dialSpdy(url: string, protocols: readonly string[], opts: SpdyDialOptions = {}): Promise<{ session: SpdySession; protocol: string }> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(u, {
      ...opts.tls,
      method: opts.method ?? 'POST',
      signal: opts.signal,
      headers: {
        ...opts.headers,
        Connection: 'Upgrade',
        Upgrade: spdyUpgradeName,
        [protocolVersionHeader]: protocols.join(', '),
        'Content-Length': '0',
      },
    });
    req.on('upgrade', (res, socket, head) => {
      setNoDelay(socket);
      const protocol = String(res.headers[protocolVersionHeader.toLowerCase()] ?? '');
      resolve({ session: new SpdySession(socket, { onStream: opts.onStream, isServer: false, head }), protocol });
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => reject(new UpgradeFailedError(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function setNoDelay(socket: Duplex): void {
  const s = socket as Duplex & { setNoDelay?: (v: boolean) => void };
  s.setNoDelay?.(true);
}
